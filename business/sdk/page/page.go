// Package page is the paging of a list query: which page and how many rows.
package page

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limits on rows per page, and on how deep a page number reaches.
const (
	DefaultRows = 10
	MaxRows     = 100

	// MaxOffset is the last row a page number reaches: Postgres reads
	// every row before a numbered page (OFFSET), so deeper pages are read
	// by cursor, whose cost does not grow with depth.
	MaxOffset = 10_000
)

// FieldError is a paging value out of range; Field is "page" or "rows".
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// CountCap is where counting stops: past it a list's total is only known
// to be more, since counting a million rows would cost more than the page.
const CountCap = 1_000

// Page is a valid page request: a page number, or a cursor for keyset
// paging, whose cost does not grow with depth.
type Page struct {
	number int
	rows   int
	after  *Cursor
}

// Cursor names the last row of a page by its order column's and unique
// tiebreak column's values, as Postgres writes them as text.
type Cursor struct {
	Key string
	ID  string
}

// After returns p continuing after c: keyset paging, with no offset.
func (p Page) After(c Cursor) Page {
	p.after = &c
	p.number = 0
	return p
}

// Cursor returns the row p starts after, when p is keyset paged.
func (p Page) Cursor() (Cursor, bool) {
	if p.after == nil {
		return Cursor{}, false
	}
	return *p.after, true
}

// Parse reads the page number and rows per page of a query string. Empty
// values take the defaults: page 1, DefaultRows rows. Each refusal says
// the bound that holds: a page number past row MaxOffset, however large,
// is told to follow the cursor.
func Parse(pageStr, rowsStr string) (Page, error) {
	rows, err := parseInt("rows", rowsStr, DefaultRows)
	if err == nil && (rows < 1 || rows > MaxRows) {
		err = &FieldError{Field: "rows", Msg: fmt.Sprintf("must be between 1 and %d", MaxRows)}
	}
	if err != nil {
		return Page{}, err
	}
	number, err := parseInt("page", pageStr, 1)
	switch {
	case err != nil:
		return Page{}, err
	case number < 1:
		return Page{}, &FieldError{Field: "page", Msg: "must be 1 or more"}
	case number-1 >= MaxOffset/rows+min(MaxOffset%rows, 1):
		// The page would start at or past row MaxOffset, (number-1)*rows
		// >= MaxOffset, compared without the product, which a page number
		// read as MaxInt would overflow.
		return Page{}, &FieldError{Field: "page", Msg: fmt.Sprintf("page numbers reach row %d (page %d at %d rows); for deeper pages follow next: send it as ?cursor= from an earlier page", MaxOffset, (MaxOffset-1)/rows+1, rows)}
	}
	return Page{number: number, rows: rows}, nil
}

// parseInt reads s as a whole number, def when empty; one too large for
// an int reads as the largest, which every bound refuses.
func parseInt(field, s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	switch {
	case errors.Is(err, strconv.ErrRange):
		if strings.HasPrefix(s, "-") {
			return math.MinInt, nil
		}
		return math.MaxInt, nil
	case err != nil:
		return 0, &FieldError{Field: field, Msg: "must be a whole number"}
	}
	return n, nil
}

// Number is the page number, from 1.
func (p Page) Number() int { return p.number }

// RowsPerPage is the page size.
func (p Page) RowsPerPage() int { return p.rows }

// Offset is the number of rows before this page.
func (p Page) Offset() int { return max(0, p.number-1) * p.rows }

// Of is one page of a list: its items, how many the list's filter
// matches (at most CountCap+1: past the cap only "more" is known) and,
// when the page is full and rows may follow, the cursor after its last
// item.
type Of[T any] struct {
	Items []T
	Total int
	Next  *Cursor
}
