package dbtest

// Must returns v, or panics with err: for values a test knows are valid,
// as in Must(money.Parse("12.50")).
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
