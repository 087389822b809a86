package vproductapp

import (
	"net/http"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/domain/vproductbus"
	"github.com/garagesale/service/foundation/web"
)

// Config holds what the vproducts route needs.
type Config struct {
	VProductBus *vproductbus.Business
	UserBus     *userbus.Business
	Auth        *auth.Auth
}

// Routes adds the vproducts route to app.
func Routes(app *web.App, cfg Config) {
	a := &handlers{vproductBus: cfg.VProductBus}

	authen := mid.Authenticate(cfg.Auth, cfg.UserBus)
	adminOnly := mid.Authorize(cfg.Auth, auth.RuleAdminOnly)

	app.HandlerFunc(http.MethodGet, "/v1/vproducts", a.query, authen, adminOnly)
}
