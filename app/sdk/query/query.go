// Package query reads a request's URL (path IDs, paging, order, filters)
// with errors that name the field, and answers lists.
package query

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/garagesale/service/app/sdk/apidoc"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/types/date"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/uuid"
)

// Result is one page of a list. Total counts the list's items up to
// page.CountCap; past it Total is the cap and TotalCapped is set. Next,
// when set, is the cursor of the page after this one (send it back as
// ?cursor=); Page is 0 for a page read by cursor.
type Result[T any] struct {
	Items       []T    `json:"items" doc:"this page's items, in the list's order"`
	Total       int    `json:"total" doc:"how many items the list's filters match, counted up to 1000 (see totalCapped)"`
	TotalCapped bool   `json:"totalCapped,omitempty" doc:"true when more than 1000 match: total then says 1000"`
	Page        int    `json:"page" doc:"the page number; 0 for a page read by cursor"`
	RowsPerPage int    `json:"rowsPerPage" doc:"the page's size, as asked for (rows)"`
	Next        string `json:"next,omitempty" doc:"the cursor of the page after this one: send it as ?cursor= with the same orderBy and filters. Absent from a page that is not full, and from a numbered page that reaches an exact total"`
}

// NewResult returns the page pg of a list of total items, total being at
// most page.CountCap+1 as the stores count.
func NewResult[T any](items []T, total int, pg page.Page) Result[T] {
	if items == nil {
		items = []T{}
	}
	res := Result[T]{Items: items, Total: total, Page: pg.Number(), RowsPerPage: pg.RowsPerPage()}
	if total > page.CountCap {
		res.Total, res.TotalCapped = page.CountCap, true
	}
	return res
}

// PathID reads the UUID path wildcard key. A malformed one is an
// invalid_argument error naming key.
func PathID(r *http.Request, key string) (uuid.UUID, error) {
	id, err := parseUUID(r.PathValue(key))
	if err != nil {
		return uuid.Nil, errs.NewFields(errs.FieldErrors{key: "must be a UUID"})
	}
	return id, nil
}

// Page reads ?page= and ?rows=.
func Page(r *http.Request) (page.Page, error) {
	qs := r.URL.Query()
	pg, err := page.Parse(qs.Get("page"), qs.Get("rows"))
	var fe *page.FieldError
	if errors.As(err, &fe) {
		return page.Page{}, errs.NewFields(errs.FieldErrors{fe.Field: fe.Msg})
	}
	return pg, err
}

// OrderBy reads ?orderBy= against a domain's whitelist of JSON field names.
func OrderBy(r *http.Request, whitelist map[string]string, def order.By) (order.By, error) {
	by, err := order.Parse(whitelist, r.URL.Query().Get("orderBy"), def)
	var fe *order.FieldError
	if errors.As(err, &fe) {
		return order.By{}, errs.NewFields(errs.FieldErrors{"orderBy": fe.Msg})
	}
	return by, err
}

// listParams are the parameters every list takes besides its filter.
var listParams = []string{"page", "rows", "orderBy", "cursor"}

// Filter reads the optional query parameters of a list into a domain's
// filter, recording a field error for each malformed one. Err refuses the
// parameters the filter did not ask for: a misspelt filter silently
// ignored would answer the whole list as if it had matched.
type Filter struct {
	qs    url.Values
	known []string
	// takes opens the message naming the parameters known.
	takes  string
	Errors errs.FieldErrors
	// described, when set, records each parameter read, for Params.
	described *[]apidoc.Param
}

// NewFilter starts reading r's query parameters.
func NewFilter(r *http.Request) *Filter {
	f := &Filter{qs: r.URL.Query(), known: slices.Clone(listParams), takes: "this list takes ", Errors: errs.FieldErrors{}}
	f.described, _ = r.Context().Value(describeKey{}).(*[]apidoc.Param)
	return f
}

// NewParams starts reading r's query parameters for a route that is no
// list, to which paging and order are unknown parameters.
func NewParams(r *http.Request) *Filter {
	f := NewFilter(r)
	f.known, f.takes = nil, "this route takes "
	return f
}

// describeKey marks a request made up to learn a filter's parameters.
type describeKey struct{}

func (f *Filter) get(key string, doc apidoc.Param) (string, bool) {
	if !slices.Contains(f.known, key) {
		f.known = append(f.known, key)
		if f.described != nil {
			doc.Name = key
			*f.described = append(*f.described, doc)
		}
	}
	v := f.qs.Get(key)
	return v, v != ""
}

// String returns the parameter key, or nil when absent.
func (f *Filter) String(key string) *string {
	v, ok := f.get(key, apidoc.Param{Type: "string"})
	if !ok {
		return nil
	}
	return &v
}

// OneOf returns the parameter key, which must be one of values, or nil
// when absent or another: a misspelt value would otherwise match nothing
// and answer an empty list.
func (f *Filter) OneOf(key string, values ...string) *string {
	in := func(v string) (string, error) {
		if !slices.Contains(values, v) {
			return "", errors.New("not one of them")
		}
		return v, nil
	}
	return value(f, key, apidoc.Param{Type: "string", Enum: values}, in, "must be one of "+strings.Join(values, ", "))
}

// UUID returns the parameter key as a UUID, or nil when absent or bad.
func (f *Filter) UUID(key string) *uuid.UUID {
	return value(f, key, apidoc.Param{Type: "string", Format: "uuid"}, parseUUID, "must be a UUID")
}

// Bool returns the parameter key as a bool, or nil when absent or bad.
func (f *Filter) Bool(key string) *bool {
	return value(f, key, apidoc.Param{Type: "boolean"}, strconv.ParseBool, "must be true or false")
}

// Int returns the parameter key as an integer from lo to hi (the range
// of the column it is compared with), or nil when absent or bad.
func (f *Filter) Int(key string, lo, hi int) *int {
	inRange := func(v string) (int, error) {
		n, err := strconv.Atoi(v)
		if err == nil && (n < lo || n > hi) {
			err = errors.New("out of range")
		}
		return n, err
	}
	return value(f, key, apidoc.Param{Type: "integer", Min: new(float64(lo)), Max: new(float64(hi))},
		inRange, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
}

// Money returns the parameter key as an amount in currency units ("12.5"),
// or nil when absent or bad.
func (f *Filter) Money(key string) *money.Money {
	return value(f, key, apidoc.Param{Type: "number", Format: "double", Description: "in currency units, at most 2 decimals"}, money.Parse, "")
}

// Time returns the parameter key, a bound of a range of stored times, as
// an RFC 3339 time, or nil when absent or bad. Postgres keeps
// microseconds, and its driver cuts a finer time down: a From 100 ns after
// a row's time then took the row in, and a Before 100 ns after it left
// it out. Rounded up instead, an inclusive lower bound and an exclusive
// upper bound both keep their meaning.
func (f *Filter) Time(key string) *time.Time {
	inUTC := func(v string) (time.Time, error) {
		t, err := time.Parse(time.RFC3339, v)
		if cut := t.Truncate(time.Microsecond); cut.Before(t) {
			t = cut.Add(time.Microsecond)
		}
		return t.UTC(), err
	}
	return value(f, key, apidoc.Param{Type: "string", Format: "date-time"}, inUTC, "must be an RFC 3339 time, like 2026-01-02T15:04:05Z")
}

// Date returns the parameter key as a UTC day written 2026-01-02, or nil
// when absent or bad.
func (f *Filter) Date(key string) *date.Date {
	return value(f, key, apidoc.Param{Type: "string", Format: "date", Description: "a UTC day, like 2026-01-02"}, date.Parse, "")
}

// value reads the parameter key, documented as doc, with parse: nil when
// absent or refused, recording the error bad (or parse's own) then.
func value[T any](f *Filter, key string, doc apidoc.Param, parse func(string) (T, error), bad string) *T {
	v, ok := f.get(key, doc)
	if !ok {
		return nil
	}
	x, err := parse(v)
	if err != nil {
		if bad != "" {
			err = errors.New(bad)
		}
		f.Errors.Add(key, err)
		return nil
	}
	return &x
}

// Err returns the field errors recorded, with one for every parameter
// that was not read, or nil. Call it after reading every parameter.
func (f *Filter) Err() error {
	for key := range f.qs {
		if !slices.Contains(f.known, key) {
			f.Errors[web.Clip(key)] = "unknown parameter; " + f.takes + strings.Join(f.known, ", ")
		}
	}
	return f.Errors.ToError()
}
