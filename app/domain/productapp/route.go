package productapp

import (
	"net/http"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/idempotency"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/app/sdk/route"
	"github.com/garagesale/service/business/domain/productbus"
)

// Config holds what the products routes need.
type Config struct {
	ProductBus *productbus.Business
	Auth       *auth.Auth
	// Keys keeps the answers of creations sent with an Idempotency-Key.
	Keys *idempotency.Store
}

// Routes adds the products routes. Owner checks for PUT and DELETE happen
// in the handler: the subject is the product's owner, which only the
// loaded product knows.
func Routes(t *route.Table, cfg Config) {
	t = t.Group("products", "Products put up for sale: anyone with a token lists them; the owner or an ADMIN changes them.")
	a := &handlers{productBus: cfg.ProductBus, auth: cfg.Auth, keys: cfg.Keys}
	owner := []int{http.StatusForbidden, http.StatusNotFound}

	t.Add(route.Def{Method: http.MethodPost, Path: "/v1/products", Handler: a.create, Rule: auth.RuleAny, Idempotent: true,
		Summary: "Put a product up for sale", Description: "The caller owns it.",
		Body: NewProduct{}, Status: http.StatusCreated, Response: Product{}})
	t.Add(route.Def{Method: http.MethodGet, Path: "/v1/products", Handler: a.query, Rule: auth.RuleAny,
		Summary: "List products", Query: listSpec.Params(), Response: query.Result[Product]{}})
	t.Add(route.Def{Method: http.MethodGet, Path: "/v1/products/{productID}", Handler: a.queryByID, Rule: auth.RuleAny,
		Summary: "Get a product", Response: Product{}, Errors: []int{http.StatusNotFound}})
	t.Add(route.Def{Method: http.MethodPut, Path: "/v1/products/{productID}", Handler: a.update, Rule: auth.RuleAny,
		Summary: "Change a product", Description: "Only the fields sent change. Its owner or an ADMIN may change it.",
		Body: UpdateProduct{}, Response: Product{}, Errors: owner})
	t.Add(route.Def{Method: http.MethodDelete, Path: "/v1/products/{productID}", Handler: a.delete, Rule: auth.RuleAny,
		Summary: "Delete a product", Description: "Its owner or an ADMIN may delete it; not once it has sales (409).",
		Status: http.StatusNoContent, Errors: append(owner, http.StatusConflict)})
}
