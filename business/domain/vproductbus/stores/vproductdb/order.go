package vproductdb

import "github.com/garagesale/service/business/domain/vproductbus"

var orderByColumns = map[string]string{
	vproductbus.OrderByID:          "product_id",
	vproductbus.OrderByUserID:      "user_id",
	vproductbus.OrderByName:        "name",
	vproductbus.OrderByCost:        "cost",
	vproductbus.OrderByQuantity:    "quantity",
	vproductbus.OrderByDateCreated: "date_created",
	vproductbus.OrderByUserName:    "user_name",
}
