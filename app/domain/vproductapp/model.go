package vproductapp

import (
	"github.com/garagesale/service/app/domain/productapp"
	"github.com/garagesale/service/business/domain/vproductbus"
)

// VProduct is a product with its owner's name as the API shows it: the
// product's fields, then userName, in one JSON object.
type VProduct struct {
	productapp.Product
	UserName string `json:"userName"`
}

func toAppProduct(bus vproductbus.Product) VProduct {
	return VProduct{Product: productapp.ToAppProduct(bus.Product), UserName: bus.UserName.String()}
}
