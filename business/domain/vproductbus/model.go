package vproductbus

import (
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/types/name"
)

// Product is a product with the name of the user who owns it.
type Product struct {
	productbus.Product
	UserName name.Name
}

// QueryFilter is a product filter that can also match the owner's name.
type QueryFilter struct {
	productbus.QueryFilter
	UserName *string // substring, any case
}

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
