package saledb

import "github.com/garagesale/service/business/domain/salebus"

// orderByColumns are the columns a list is ordered by. A walk-in sale's
// NULL buyer would pass no cursor comparison: it orders as the nil UUID.
var orderByColumns = map[string]string{
	salebus.OrderByID:          "s.sale_id",
	salebus.OrderByProductID:   "s.product_id",
	salebus.OrderByBuyerID:     "COALESCE(s.buyer_id, CAST('00000000-0000-0000-0000-000000000000' AS uuid))",
	salebus.OrderByQuantity:    "s.quantity",
	salebus.OrderByPaid:        "s.paid",
	salebus.OrderByDateCreated: "s.date_created",
}
