package auditapp

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/auditbus"
)

// Audit is an audit record as the API shows it.
type Audit struct {
	ID        string          `json:"id" openapi:"format=uuid"`
	ObjID     string          `json:"objID" openapi:"format=uuid"`
	ObjDomain string          `json:"objDomain"`
	ObjName   string          `json:"objName"`
	ActorID   string          `json:"actorID" openapi:"format=uuid"`
	Action    string          `json:"action" openapi:"enum=created|updated|deleted"`
	Data      json.RawMessage `json:"data"`
	Message   string          `json:"message"`
	Timestamp string          `json:"timestamp" openapi:"format=date-time"`
}

// toAppAudit keeps Data as it is: a nil json.RawMessage is sent as null.
func toAppAudit(bus auditbus.Audit) Audit {
	return Audit{
		ID:        bus.ID.String(),
		ObjID:     bus.ObjID.String(),
		ObjDomain: bus.ObjDomain,
		ObjName:   bus.ObjName,
		ActorID:   bus.ActorID.String(),
		Action:    bus.Action,
		Data:      bus.Data,
		Message:   bus.Message,
		Timestamp: query.FormatTime(bus.Timestamp),
	}
}

// parseFilter reads the audit log's filter parameters.
func parseFilter(ctx context.Context, r *http.Request) (auditbus.QueryFilter, error) {
	f := query.NewFilter(r)
	filter := auditbus.QueryFilter{
		ObjID:     f.UUID("objID"),
		ObjDomain: f.String("objDomain"),
		ObjName:   f.String("objName"),
		ActorID:   f.UUID("actorID"),
		Action:    f.OneOf("action", auditbus.ActionCreated, auditbus.ActionUpdated, auditbus.ActionDeleted),
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

var orderByFields = map[string]string{
	"objID":     auditbus.OrderByObjID,
	"objDomain": auditbus.OrderByObjDomain,
	"objName":   auditbus.OrderByObjName,
	"actorID":   auditbus.OrderByActorID,
	"action":    auditbus.OrderByAction,
	"timestamp": auditbus.OrderByTimestamp,
}
