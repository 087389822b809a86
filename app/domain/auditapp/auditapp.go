// Package auditapp is the HTTP layer of the audit log: GET /v1/audits.
package auditapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/app/sdk/route"
	"github.com/garagesale/service/business/domain/auditbus"
)

// Config holds what the audit routes need.
type Config struct {
	AuditBus *auditbus.Business
}

// Routes adds the audit routes.
func Routes(t *route.Table, cfg Config) {
	t = t.Group("audits", "The audit log: who created, changed or deleted what, and when. ADMIN only.")
	h := handlers{auditBus: cfg.AuditBus}
	t.Add(route.Def{Method: http.MethodGet, Path: "/v1/audits", Handler: h.query, Rule: auth.RuleAdminOnly,
		Summary: "List the audit log", Description: "Every change to a user, product or sale, with who made it.",
		Query: listSpec.Params(), Response: query.Result[Audit]{}})
}

type handlers struct {
	auditBus *auditbus.Business
}

func (h handlers) query(ctx context.Context, r *http.Request) (any, error) {
	return query.List(ctx, r, h.auditBus, listSpec)
}
