package productapp

import (
	"net/http"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/foundation/web"
)

// Config holds what the products routes need.
type Config struct {
	ProductBus *productbus.Business
	UserBus    *userbus.Business
	Auth       *auth.Auth
	// Idempotent makes creation safe to retry with an Idempotency-Key;
	// nil leaves it out.
	Idempotent web.MidFunc
}

// Routes adds the products routes to app. Owner checks for PUT and DELETE
// happen in the handler: the subject is the product's owner, which only
// the loaded product knows.
func Routes(app *web.App, cfg Config) {
	a := &handlers{productBus: cfg.ProductBus, auth: cfg.Auth}

	authen := mid.Authenticate(cfg.Auth, cfg.UserBus)
	anyUser := mid.Authorize(cfg.Auth, auth.RuleAny)

	app.HandlerFunc(http.MethodPost, "/v1/products", a.create, authen, anyUser, cfg.Idempotent)
	app.HandlerFunc(http.MethodGet, "/v1/products", a.query, authen, anyUser)
	app.HandlerFunc(http.MethodGet, "/v1/products/{productID}", a.queryByID, authen, anyUser)
	app.HandlerFunc(http.MethodPut, "/v1/products/{productID}", a.update, authen, anyUser)
	app.HandlerFunc(http.MethodDelete, "/v1/products/{productID}", a.delete, authen, anyUser)
}
