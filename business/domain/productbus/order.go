package productbus

import "github.com/garagesale/service/business/sdk/order"

// DefaultOrderBy is the order of a query that names none.
var DefaultOrderBy = order.NewBy(OrderByID, order.ASC)

// Fields a product query can be ordered by.
const (
	OrderByID          = "product_id"
	OrderByUserID      = "user_id"
	OrderByName        = "name"
	OrderByCost        = "cost"
	OrderByQuantity    = "quantity"
	OrderByDateCreated = "date_created"
)
