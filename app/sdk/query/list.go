package query

import (
	"context"
	"errors"
	"net/http"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
)

// Lister is what a list route needs of a domain's business.
type Lister[F, B any] interface {
	Query(ctx context.Context, filter F, orderBy order.By, pg page.Page) ([]B, *page.Cursor, error)
	Count(ctx context.Context, filter F) (int, error)
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
}

// List answers a list route: paging, filter and order read from r (each a
// 400 naming the parameter when bad), then one page, the total and the
// cursor of the next page. ?cursor= (a "next" of an earlier page of the
// same list) pages by keyset instead of by number.
func List[F, B, A any](ctx context.Context, r *http.Request, bus Lister[F, B], spec ListSpec[F, B, A]) (Result[A], error) {
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
	list := listOf(r, orderBy)
	if raw := r.URL.Query().Get("cursor"); raw != "" {
		after, err := decodeCursor(raw, list)
		if err != nil {
			return Result[A]{}, errs.NewFields(errs.FieldErrors{"cursor": err.Error()})
		}
		pg = pg.After(after)
	}

	items, next, err := bus.Query(ctx, filter, orderBy, pg)
	if err != nil {
		if errors.Is(err, sqldb.ErrDBBadValue) {
			return Result[A]{}, errs.NewFields(errs.FieldErrors{"cursor": errBadCursor.Error()})
		}
		return Result[A]{}, errs.New(errs.Internal, err)
	}
	total, err := bus.Count(ctx, filter)
	if err != nil {
		return Result[A]{}, errs.New(errs.Internal, err)
	}
	res := NewResult(spec.ToApp(items), total, pg)
	if next != nil {
		res.Next = encodeCursor(*next, list)
	}
	return res, nil
}
