package auditbus

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Actions recorded.
const (
	ActionCreated = "created"
	ActionUpdated = "updated"
	ActionDeleted = "deleted"
)

// Audit is one recorded change: who did what to which object.
type Audit struct {
	ID        uuid.UUID
	ObjID     uuid.UUID
	ObjDomain string
	ObjName   string
	ActorID   uuid.UUID
	Action    string
	Data      json.RawMessage
	Message   string
	Timestamp time.Time
}

// NewAudit is a change to record. Data is marshalled to JSON; it must never
// hold a secret (a password hash, a token).
type NewAudit struct {
	ObjID     uuid.UUID
	ObjDomain string
	ObjName   string
	ActorID   uuid.UUID
	Action    string
	Data      any
	Message   string
}
