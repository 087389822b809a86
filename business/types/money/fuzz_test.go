package money_test

import (
	"testing"

	"github.com/garagesale/service/business/types/money"
)

// FuzzParse: any text is an amount or an error, never a panic; an amount
// reads back from its own decimal form and JSON to the same cents.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{"0", "0.1", "12.5", "12.345", "-1", "1e2", "999999999.99", "1000000000.01", "00.10", ".5", "5.", "", " 1", "１"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) (money.Money, error){
			money.Parse,
			func(s string) (money.Money, error) { return money.ParseJSON([]byte(s)) },
		} {
			m, err := parse(s)
			if err != nil {
				continue
			}
			if m.Cents() < 0 {
				t.Fatalf("%q parsed to %d cents", s, m.Cents())
			}
			back, err := money.Parse(m.Decimal())
			if err != nil || back != m {
				t.Fatalf("%q is %s, which reads back as %v (%v)", s, m.Decimal(), back, err)
			}
			js, err := m.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if back, err := money.ParseJSON(js); err != nil || back != m {
				t.Fatalf("%q marshals to %s, which reads back as %v (%v)", s, js, back, err)
			}
		}
	})
}
