package query

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/garagesale/service/app/sdk/apidoc"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
)

// Lister is what List needs of a domain's business: its Query, a page
// with the list's count.
type Lister[B, F any] interface {
	Query(ctx context.Context, filter F, orderBy order.By, pg page.Page) (page.Of[B], error)
}

// ListSpec is how one domain's list route reads its request.
type ListSpec[F, B, A any] struct {
	// Filter reads the domain's filter from the request (and may narrow it
	// to what the caller may see).
	Filter func(ctx context.Context, r *http.Request) (F, error)
	// Order is the whitelist of JSON field names and the default order.
	Order        map[string]string
	DefaultOrder order.By
	// ToApp converts a page of business values to their JSON models.
	ToApp func([]B) []A
	// Docs describes filter parameters whose name does not say what they
	// keep, such as a substring match.
	Docs map[string]string
}

// Map converts a page of business values with toApp, one value's
// conversion: a ListSpec's ToApp.
func Map[B, A any](toApp func(B) A) func([]B) []A {
	return func(bus []B) []A {
		out := make([]A, len(bus))
		for i, b := range bus {
			out[i] = toApp(b)
		}
		return out
	}
}

// List answers a list route: paging, filter and order read from r (each a
// 400 naming the parameter when bad), then one page, the total and the
// cursor of the next page, which pages by keyset instead of by number.
func List[F, B, A any](ctx context.Context, r *http.Request, bus Lister[B, F], spec ListSpec[F, B, A]) (Result[A], error) {
	pg, err := Page(r)
	if err != nil {
		return Result[A]{}, err
	}
	filter, err := spec.Filter(ctx, r)
	if err != nil {
		return Result[A]{}, err
	}
	orderBy, err := OrderBy(r, spec.Order, spec.DefaultOrder)
	if err != nil {
		return Result[A]{}, err
	}
	list := listKey(r.URL.Path, r.URL.Query(), orderBy)
	if raw := r.URL.Query().Get("cursor"); raw != "" {
		after, err := decodeCursor(raw, list, olderListKey(r.URL.Path, r.URL.Query(), orderBy))
		if err != nil {
			return Result[A]{}, errs.NewFields(errs.FieldErrors{"cursor": err.Error()})
		}
		// page=1 is the default, which a client may send with every
		// request; a later page's number with a cursor asks for two pages.
		if pg.Number() > 1 {
			return Result[A]{}, errs.NewFields(errs.FieldErrors{"page": "a page read by cursor has no number: send cursor or a page number above 1, not both"})
		}
		pg = pg.After(after)
	}

	found, err := bus.Query(ctx, filter, orderBy, pg)
	if err != nil {
		if errors.Is(err, sqldb.ErrDBBadValue) {
			return Result[A]{}, errs.NewFields(errs.FieldErrors{"cursor": errBadCursor.Error()})
		}
		return Result[A]{}, errs.New(errs.Internal, err)
	}
	res := NewResult(spec.ToApp(found.Items), found.Total, pg)
	if found.Next != nil {
		res.Next = encodeCursor(*found.Next, list)
	}
	return res, nil
}

// Params documents the list's query parameters: paging, orderBy with the
// fields it takes, cursor, and the filter's, learnt by running the
// filter's own code on a request that records what it reads.
func (s ListSpec[F, B, A]) Params() []apidoc.Param {
	fields := slices.Sorted(maps.Keys(s.Order))
	def := ""
	// Every form orderBy takes, for generated clients to offer: FIELD
	// (ascending), FIELD,ASC and FIELD,DESC.
	var orders []string
	for _, k := range fields {
		if s.Order[k] == s.DefaultOrder.Field {
			def = k + "," + s.DefaultOrder.Direction
		}
		orders = append(orders, k, k+","+order.ASC, k+","+order.DESC)
	}
	params := []apidoc.Param{
		{Name: "page", Type: "integer", Min: new(1.0), Default: 1,
			Description: fmt.Sprintf("the page number, from 1, while (page-1)×rows stays under %d; deeper pages by cursor", page.MaxOffset)},
		{Name: "rows", Type: "integer", Min: new(1.0), Max: new(float64(page.MaxRows)), Default: page.DefaultRows, Description: "rows per page"},
		{Name: "orderBy", Type: "string", Enum: orders, Default: def,
			Description: "FIELD or FIELD,ASC or FIELD,DESC with FIELD one of " + strings.Join(fields, ", ")},
		{Name: "cursor", Type: "string", Description: "the next of an earlier page of the same list (same orderBy and filters): the page after it; page, if sent, must be 1"},
	}
	return append(params, Params(s.Filter, s.Docs)...)
}

// Params documents the query parameters that parse reads (through
// NewFilter or NewParams), learnt by running parse on a request that
// records what it reads; a route that is no list documents its own with
// it. docs describes those whose name does not say what they keep.
func Params[F any](parse func(ctx context.Context, r *http.Request) (F, error), docs map[string]string) []apidoc.Param {
	var params []apidoc.Param
	ctx := context.WithValue(context.Background(), describeKey{}, &params)
	if r, err := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil); err == nil {
		_, _ = parse(ctx, r)
	}
	for i, p := range params {
		params[i].Description = strings.TrimSuffix(cmp.Or(docs[p.Name], describeFilter(p.Name))+"; "+p.Description, "; ")
	}
	return params
}

// describeFilter says what a filter parameter keeps, from the naming
// scheme of the API's filters.
func describeFilter(name string) string {
	switch {
	case strings.HasSuffix(name, "Min"):
		return "only those with " + strings.TrimSuffix(name, "Min") + " at least this"
	case strings.HasSuffix(name, "Max"):
		return "only those with " + strings.TrimSuffix(name, "Max") + " at most this"
	case strings.HasSuffix(name, "From"):
		return "only those with " + strings.TrimSuffix(name, "From") + " at or after this time"
	case strings.HasSuffix(name, "Before"):
		return "only those with " + strings.TrimSuffix(name, "Before") + " before this time"
	}
	return "only those with this " + name
}
