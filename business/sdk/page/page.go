// Package page is the paging of a list query: which page and how many rows.
package page

import (
	"fmt"
	"strconv"
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
// values take the defaults: page 1, DefaultRows rows.
func Parse(pageStr, rowsStr string) (Page, error) {
	number, err := parseInt("page", pageStr, 1, 1, 1<<31-1)
	if err != nil {
		return Page{}, err
	}
	rows, err := parseInt("rows", rowsStr, DefaultRows, 1, MaxRows)
	if err != nil {
		return Page{}, err
	}
	if (number-1)*rows >= MaxOffset {
		return Page{}, &FieldError{Field: "page", Msg: fmt.Sprintf("page numbers reach row %d; for deeper pages follow next: send it as ?cursor= from an earlier page", MaxOffset)}
	}
	return Page{number: number, rows: rows}, nil
}

func parseInt(field, s string, def, lo, hi int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, &FieldError{Field: field, Msg: "must be a whole number"}
	}
	if n < lo || n > hi {
		return 0, &FieldError{Field: field, Msg: fmt.Sprintf("must be between %d and %d", lo, hi)}
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
// when the page is full, the cursor after its last item.
type Of[T any] struct {
	Items []T
	Total int
	Next  *Cursor
}
