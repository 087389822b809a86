// Package date is a day of the UTC calendar, by which statistics count
// sales whatever the seller's time zone, so every reader sees one day.
package date

import (
	"errors"
	"time"
)

// Layout is how a Date is written: 2026-01-02.
const Layout = time.DateOnly

// Date is a day of the UTC calendar. The zero value is 0001-01-01.
type Date struct {
	start time.Time // midnight UTC
}

// Parse reads a day like 2026-01-02, refusing one that does not exist.
func Parse(s string) (Date, error) {
	t, err := time.Parse(Layout, s)
	if err != nil {
		return Date{}, errors.New("must be a date like 2026-01-02")
	}
	return Date{start: t}, nil
}

// Of returns the UTC day that t falls on.
func Of(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{start: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// String writes the day as 2026-01-02.
func (d Date) String() string { return d.start.Format(Layout) }

// Start returns the day's first instant, midnight UTC.
func (d Date) Start() time.Time { return d.start }

// End returns the first instant after the day: the next day's Start.
func (d Date) End() time.Time { return d.AddDays(1).start }

// AddDays returns the day n days later (earlier for a negative n).
func (d Date) AddDays(n int) Date { return Date{start: d.start.AddDate(0, 0, n)} }

// DaysTo returns how many days later o is than d, negative when earlier.
func (d Date) DaysTo(o Date) int {
	// UTC days are all 24 hours long.
	return int(o.start.Sub(d.start) / (24 * time.Hour))
}

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.start.Before(o.start) }
