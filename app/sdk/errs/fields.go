package errs

// FieldErrors collects what is wrong with each field of a request, so one
// response names every bad field at once.
type FieldErrors map[string]string

// Add records err against field; a nil err records nothing. The first
// error of a field wins.
func (fe FieldErrors) Add(field string, err error) {
	if err == nil {
		return
	}
	if _, ok := fe[field]; !ok {
		fe[field] = err.Error()
	}
}

// ToError returns nil when nothing was recorded, else an invalid_argument
// Error naming each field.
func (fe FieldErrors) ToError() error {
	if len(fe) == 0 {
		return nil
	}
	return NewFields(fe)
}
