package vproductapp

import "github.com/garagesale/service/business/domain/vproductbus"

// orderByFields maps the JSON names a client orders by to the business's.
var orderByFields = map[string]string{
	"id":          vproductbus.OrderByID,
	"userID":      vproductbus.OrderByUserID,
	"name":        vproductbus.OrderByName,
	"cost":        vproductbus.OrderByCost,
	"quantity":    vproductbus.OrderByQuantity,
	"dateCreated": vproductbus.OrderByDateCreated,
	"userName":    vproductbus.OrderByUserName,
}
