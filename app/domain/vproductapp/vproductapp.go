// Package vproductapp is the HTTP layer of the admin's product listing:
// GET /v1/vproducts of DESIGN.md §4, products with their owners' names.
package vproductapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/vproductbus"
	"github.com/garagesale/service/foundation/web"
)

type handlers struct {
	vproductBus *vproductbus.Business
}

func (a *handlers) query(ctx context.Context, r *http.Request) web.Encoder {
	pg, err := query.Page(r)
	if err != nil {
		return errs.Of(err)
	}
	filter, err := parseFilter(r)
	if err != nil {
		return errs.Of(err)
	}
	orderBy, err := query.OrderBy(r, orderByFields, vproductbus.DefaultOrderBy)
	if err != nil {
		return errs.Of(err)
	}

	prds, err := a.vproductBus.Query(ctx, filter, orderBy, pg)
	if err != nil {
		return errs.New(errs.Internal, err)
	}
	total, err := a.vproductBus.Count(ctx, filter)
	if err != nil {
		return errs.New(errs.Internal, err)
	}
	return query.NewResult(toAppProducts(prds), total, pg)
}
