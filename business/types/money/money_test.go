package money_test

import (
	"encoding/json"
	"testing"

	"github.com/garagesale/service/business/types/money"
	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		cents   int64
		wantErr bool
	}{
		{in: "12.5", cents: 1250},
		{in: "0.99", cents: 99},
		{in: "3", cents: 300},
		{in: "0.1", cents: 10},
		{in: "0.30", cents: 30},
		{in: "0", cents: 0},
		{in: "1000000000", cents: 100000000000},
		{in: "12.345", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "abc", wantErr: true},
		{in: "1e3", wantErr: true},
		{in: ".5", wantErr: true},
		{in: "5.", wantErr: true},
		{in: "1000000000.01", wantErr: true},
		{in: "99999999999999999999", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, err := money.Parse(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.cents, m.Cents()); diff != "" {
				t.Errorf("cents (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJSONRoundTrip shows amounts that are inexact as floats (0.1 + 0.2)
// survive JSON exactly, and sums stay exact in cents.
func TestJSONRoundTrip(t *testing.T) {
	var got struct {
		A money.Money `json:"a"`
		B money.Money `json:"b"`
	}
	if err := json.Unmarshal([]byte(`{"a": 0.1, "b": 0.2}`), &got); err != nil {
		t.Fatal(err)
	}
	sum, err := money.FromCents(got.A.Cents() + got.B.Cents())
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(map[string]money.Money{"sum": sum})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(`{"sum":0.3}`, string(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	for _, bad := range []string{`{"a": 12.345}`, `{"a": -1}`, `{"a": "abc"}`, `{"a": "12"}`} {
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("Unmarshal(%s): want an error", bad)
		}
	}
}

// TestTotal: a total is written as amounts are, and may pass the cap of
// a single amount.
func TestTotal(t *testing.T) {
	tests := []struct {
		cents   int64
		want    string
		wantErr bool
	}{
		{cents: 0, want: "0"},
		{cents: 1250, want: "12.5"},
		{cents: 99, want: "0.99"},
		{cents: 3 * money.MaxCents, want: "3000000000"},
		{cents: 3*money.MaxCents + 1, want: "3000000000.01"},
		{cents: -1, want: "0", wantErr: true},
	}
	for _, tt := range tests {
		tot, err := money.TotalOf(tt.cents)
		if (err != nil) != tt.wantErr {
			t.Fatalf("TotalOf(%d) error = %v, wantErr %v", tt.cents, err, tt.wantErr)
		}
		if diff := cmp.Diff(tt.want, tot.Decimal()); diff != "" {
			t.Errorf("TotalOf(%d).Decimal() (-want +got):\n%s", tt.cents, diff)
		}
	}
}
