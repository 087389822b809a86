// Package page is the paging of a list query: which page and how many rows.
package page

import (
	"fmt"
	"strconv"
)

// Limits on rows per page.
const (
	DefaultRows = 10
	MaxRows     = 100
)

// FieldError is a paging value that is out of range; Field is "page" or
// "rows", as in the query string.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Page is a valid page request.
type Page struct {
	number int
	rows   int
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

// MustParse is Parse for values known to be valid; it panics otherwise.
func MustParse(pageStr, rowsStr string) Page {
	p, err := Parse(pageStr, rowsStr)
	if err != nil {
		panic(err)
	}
	return p
}

// Number is the page number, from 1.
func (p Page) Number() int { return p.number }

// RowsPerPage is the page size.
func (p Page) RowsPerPage() int { return p.rows }

// Offset is the number of rows before this page.
func (p Page) Offset() int { return (p.number - 1) * p.rows }
