package productdb

import "github.com/garagesale/service/business/domain/productbus"

var orderByColumns = map[string]string{
	productbus.OrderByID:          "product_id",
	productbus.OrderByUserID:      "user_id",
	productbus.OrderByName:        "name",
	productbus.OrderByCost:        "cost",
	productbus.OrderByQuantity:    "quantity",
	productbus.OrderByDateCreated: "date_created",
}
