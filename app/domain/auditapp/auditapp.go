// Package auditapp is the HTTP layer of the audit log: GET /v1/audits.
package auditapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/foundation/web"
)

// Config holds what the audit routes need.
type Config struct {
	AuditBus *auditbus.Business
	UserBus  *userbus.Business
	Auth     *auth.Auth
}

// Routes adds the audit routes to app.
func Routes(app *web.App, cfg Config) {
	h := handlers{auditBus: cfg.AuditBus}
	app.HandlerFunc(http.MethodGet, "/v1/audits", h.query,
		mid.Authenticate(cfg.Auth, cfg.UserBus), mid.Authorize(cfg.Auth, auth.RuleAdminOnly))
}

type handlers struct {
	auditBus *auditbus.Business
}

func (h handlers) query(ctx context.Context, r *http.Request) web.Encoder {
	res, err := query.List(ctx, r, h.auditBus, query.ListSpec[auditbus.QueryFilter, auditbus.Audit, Audit]{
		Filter:       parseFilter,
		Order:        orderByFields,
		DefaultOrder: auditbus.DefaultOrderBy,
		ToApp:        toAppAudits,
	})
	if err != nil {
		return errs.Of(err)
	}
	return res
}
