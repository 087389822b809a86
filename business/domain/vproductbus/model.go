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
