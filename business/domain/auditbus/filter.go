package auditbus

import (
	"time"

	"github.com/google/uuid"
)

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
