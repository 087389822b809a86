package auditbus

import (
	"encoding/json"
	"time"

	"github.com/garagesale/service/business/sdk/order"
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

// QueryFilter narrows an audit query; nil fields do not filter.
type QueryFilter struct {
	ObjID     *uuid.UUID
	ObjDomain *string
	ObjName   *string // substring, any case
	ActorID   *uuid.UUID
	Action    *string
	Since     *time.Time // inclusive
	Until     *time.Time // exclusive
}

// DefaultOrderBy is newest first.
var DefaultOrderBy = order.NewBy(OrderByTimestamp, order.DESC)

// Fields an audit query can be ordered by.
const (
	OrderByObjID     = "obj_id"
	OrderByObjDomain = "obj_domain"
	OrderByObjName   = "obj_name"
	OrderByActorID   = "actor_id"
	OrderByAction    = "action"
	OrderByTimestamp = "timestamp"
)
