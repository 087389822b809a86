package vproductbus

import "github.com/garagesale/service/business/domain/productbus"

// QueryFilter is a product filter that can also match the owner's name.
type QueryFilter struct {
	productbus.QueryFilter
	UserName *string // substring, any case
}
