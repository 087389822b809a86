package saleapp

import "github.com/garagesale/service/business/domain/salebus"

// orderByFields maps the JSON names a client orders by to the business's.
var orderByFields = map[string]string{
	"id":          salebus.OrderByID,
	"productID":   salebus.OrderByProductID,
	"buyerID":     salebus.OrderByBuyerID,
	"quantity":    salebus.OrderByQuantity,
	"paid":        salebus.OrderByPaid,
	"dateCreated": salebus.OrderByDateCreated,
}
