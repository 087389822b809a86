package date_test

import (
	"testing"
	"time"

	"github.com/garagesale/service/business/types/date"
	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "2026-01-02", want: "2026-01-02"},
		{in: "2028-02-29", want: "2028-02-29"},
		{in: "2026-02-29", wantErr: "must be a date like 2026-01-02"},
		{in: "2026-1-2", wantErr: "must be a date like 2026-01-02"},
		{in: "2026-01-02T00:00:00Z", wantErr: "must be a date like 2026-01-02"},
		{in: "yesterday", wantErr: "must be a date like 2026-01-02"},
		{in: "", wantErr: "must be a date like 2026-01-02"},
	}
	for _, tt := range tests {
		d, err := date.Parse(tt.in)
		got := []string{"", ""}
		if err != nil {
			got[1] = err.Error()
		} else {
			got[0] = d.String()
		}
		if diff := cmp.Diff([]string{tt.want, tt.wantErr}, got); diff != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// TestOfIsTheUTCDay: an instant belongs to the day it is in UTC, whatever
// zone it was written in; the day runs from its Start up to its End.
func TestOfIsTheUTCDay(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), "2026-01-02"},
		{time.Date(2026, 1, 2, 23, 59, 59, 999999999, time.UTC), "2026-01-02"},
		// 08:59 on the 3rd in Tokyo is 23:59 on the 2nd in UTC.
		{time.Date(2026, 1, 3, 8, 59, 0, 0, tokyo), "2026-01-02"},
		{time.Date(2026, 1, 3, 9, 0, 0, 0, tokyo), "2026-01-03"},
	}
	for _, tt := range tests {
		d := date.Of(tt.at)
		if d.String() != tt.want {
			t.Errorf("Of(%v) = %s, want %s", tt.at, d, tt.want)
		}
		if tt.at.Before(d.Start()) || !tt.at.Before(d.End()) {
			t.Errorf("%v is not within [%v, %v)", tt.at, d.Start(), d.End())
		}
	}
}

func TestArithmetic(t *testing.T) {
	d, err := date.Parse("2028-02-28")
	if err != nil {
		t.Fatal(err)
	}
	got := []any{d.AddDays(1).String(), d.AddDays(2).String(), d.AddDays(-59).String(),
		d.DaysTo(d.AddDays(366)), d.AddDays(366).DaysTo(d), d.Before(d.AddDays(1)), d.Before(d),
		d.End().Sub(d.Start())}
	want := []any{"2028-02-29", "2028-03-01", "2027-12-31", 366, -366, true, false, 24 * time.Hour}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
