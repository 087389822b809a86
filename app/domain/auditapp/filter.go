package auditapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/auditbus"
)

// parseFilter reads the audit log's filter parameters.
func parseFilter(ctx context.Context, r *http.Request) (auditbus.QueryFilter, error) {
	f := query.NewFilter(r)
	filter := auditbus.QueryFilter{
		ObjID:     f.UUID("objID"),
		ObjDomain: f.String("objDomain"),
		ObjName:   f.String("objName"),
		ActorID:   f.UUID("actorID"),
		Action:    f.String("action"),
		Since:     f.Time("timestampFrom"),
		Until:     f.Time("timestampBefore"),
	}
	return filter, f.Err()
}

// listSpec reads and documents the list route's request.
var listSpec = query.ListSpec[auditbus.QueryFilter, auditbus.Audit, Audit]{
	Filter:       parseFilter,
	Order:        orderByFields,
	DefaultOrder: auditbus.DefaultOrderBy,
	ToApp:        query.Map(toAppAudit),
	Docs:         map[string]string{"objName": "only those whose object's name holds this, in any case"},
}
