package auditapp

import (
	"encoding/json"
	"time"

	"github.com/garagesale/service/business/domain/auditbus"
)

// Audit is an audit record as the API shows it.
type Audit struct {
	ID        string          `json:"id" openapi:"format=uuid"`
	ObjID     string          `json:"objID" openapi:"format=uuid"`
	ObjDomain string          `json:"objDomain"`
	ObjName   string          `json:"objName"`
	ActorID   string          `json:"actorID" openapi:"format=uuid"`
	Action    string          `json:"action"`
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
		Timestamp: bus.Timestamp.Format(time.RFC3339Nano),
	}
}
