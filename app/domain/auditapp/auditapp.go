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
	pg, err := query.Page(r)
	if err != nil {
		return errs.Of(err)
	}
	filter, err := parseFilter(r)
	if err != nil {
		return errs.Of(err)
	}
	orderBy, err := query.OrderBy(r, orderByFields, auditbus.DefaultOrderBy)
	if err != nil {
		return errs.Of(err)
	}

	audits, err := h.auditBus.Query(ctx, filter, orderBy, pg)
	if err != nil {
		return errs.New(errs.Internal, err)
	}
	total, err := h.auditBus.Count(ctx, filter)
	if err != nil {
		return errs.New(errs.Internal, err)
	}
	return query.NewResult(toAppAudits(audits), total, pg)
}
