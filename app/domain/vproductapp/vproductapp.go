// Package vproductapp is the HTTP layer of the admin's product listing:
// GET /v1/vproducts, products with their owners' names.
package vproductapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/app/sdk/route"
	"github.com/garagesale/service/business/domain/vproductbus"
)

// Config holds what the vproducts route needs.
type Config struct {
	VProductBus *vproductbus.Business
}

// Routes adds the vproducts route.
func Routes(t *route.Table, cfg Config) {
	t = t.Group("vproducts", "Products with their owner's name, for listing pages. ADMIN only.")
	a := &handlers{vproductBus: cfg.VProductBus}
	t.Add(route.Def{Method: http.MethodGet, Path: "/v1/vproducts", Handler: a.query, Rule: auth.RuleAdminOnly,
		Summary: "List products with their owners' names",
		Query:   listSpec.Params(), Response: query.Result[VProduct]{}})
}

type handlers struct {
	vproductBus *vproductbus.Business
}

func (a *handlers) query(ctx context.Context, r *http.Request) (any, error) {
	return query.List(ctx, r, a.vproductBus, listSpec)
}
