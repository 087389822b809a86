// Package vproductapp is the HTTP layer of the admin's product listing:
// GET /v1/vproducts, products with their owners' names.
package vproductapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/vproductbus"
)

type handlers struct {
	vproductBus *vproductbus.Business
}

func (a *handlers) query(ctx context.Context, r *http.Request) (any, error) {
	res, err := query.List(ctx, r, a.vproductBus, listSpec)
	if err != nil {
		return nil, errs.Of(err)
	}
	return res, nil
}
