package productapp

import "github.com/garagesale/service/business/domain/productbus"

// orderByFields maps the JSON names a client orders by to the business's.
var orderByFields = map[string]string{
	"id":          productbus.OrderByID,
	"userID":      productbus.OrderByUserID,
	"name":        productbus.OrderByName,
	"cost":        productbus.OrderByCost,
	"quantity":    productbus.OrderByQuantity,
	"dateCreated": productbus.OrderByDateCreated,
}
