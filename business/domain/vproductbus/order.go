package vproductbus

import "github.com/garagesale/service/business/domain/productbus"

// DefaultOrderBy is the order of a query that names none.
var DefaultOrderBy = productbus.DefaultOrderBy

// Fields a query can be ordered by: a product's, and its owner's name.
const (
	OrderByID          = productbus.OrderByID
	OrderByUserID      = productbus.OrderByUserID
	OrderByName        = productbus.OrderByName
	OrderByCost        = productbus.OrderByCost
	OrderByQuantity    = productbus.OrderByQuantity
	OrderByDateCreated = productbus.OrderByDateCreated
	OrderByUserName    = "user_name"
)
