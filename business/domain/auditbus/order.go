package auditbus

import "github.com/garagesale/service/business/sdk/order"

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
