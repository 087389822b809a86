package saleapp

import (
	"net/http"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/foundation/web"
)

// Config holds what the sales routes need.
type Config struct {
	SaleBus *salebus.Business
	UserBus *userbus.Business
	Auth    *auth.Auth
	// Idempotent makes buying safe to retry with an Idempotency-Key; nil
	// leaves it out.
	Idempotent web.MidFunc
}

// Routes adds the sales routes to app. Any user may buy and list; what a
// USER sees is narrowed in the handlers to the sales they bought or sold.
func Routes(app *web.App, cfg Config) {
	h := &handlers{saleBus: cfg.SaleBus}

	authen := mid.Authenticate(cfg.Auth, cfg.UserBus)
	anyUser := mid.Authorize(cfg.Auth, auth.RuleAny)
	adminOnly := mid.Authorize(cfg.Auth, auth.RuleAdminOnly)

	app.HandlerFunc(http.MethodPost, "/v1/sales", h.create, authen, anyUser, cfg.Idempotent)
	app.HandlerFunc(http.MethodGet, "/v1/sales", h.query, authen, anyUser)
	app.HandlerFunc(http.MethodGet, "/v1/sales/{saleID}", h.queryByID, authen, anyUser)
	app.HandlerFunc(http.MethodDelete, "/v1/sales/{saleID}", h.delete, authen, adminOnly)
}
