package userbus

import "github.com/garagesale/service/business/sdk/order"

// DefaultOrderBy is the order of a query that names none.
var DefaultOrderBy = order.NewBy(OrderByID, order.ASC)

// Fields a user query can be ordered by.
const (
	OrderByID          = "user_id"
	OrderByName        = "name"
	OrderByEmail       = "email"
	OrderByEnabled     = "enabled"
	OrderByDateCreated = "date_created"
)
