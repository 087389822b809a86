package quantity_test

import (
	"testing"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/types/quantity"
)

func TestParseAndArithmetic(t *testing.T) {
	tests := []struct {
		name string
		n    int
		ok   bool
	}{
		{"zero", 0, true},
		{"some", 5, true},
		{"max", quantity.Max, true},
		{"over max", quantity.Max + 1, false},
		{"negative", -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := quantity.Parse(tt.n); (err == nil) != tt.ok {
				t.Errorf("Parse(%d) error = %v, want ok = %v", tt.n, err, tt.ok)
			}
		})
	}

	if _, err := quantity.ParsePositive(0); err == nil {
		t.Error("ParsePositive(0): want an error")
	}
	five := dbtest.Must(quantity.Parse(5))
	if got, err := five.Sub(dbtest.Must(quantity.Parse(5))); err != nil || got.Value() != 0 {
		t.Errorf("5-5 = %v, %v; want 0", got.Value(), err)
	}
	if _, err := five.Sub(dbtest.Must(quantity.Parse(6))); err == nil {
		t.Error("5-6: want an error, stock cannot go negative")
	}
	if _, err := dbtest.Must(quantity.Parse(quantity.Max)).Add(dbtest.Must(quantity.Parse(1))); err == nil {
		t.Error("max+1: want an error")
	}
}
