package saledb

import "github.com/garagesale/service/business/domain/salebus"

var orderByColumns = map[string]string{
	salebus.OrderByID:          "s.sale_id",
	salebus.OrderByProductID:   "s.product_id",
	salebus.OrderByBuyerID:     "s.buyer_id",
	salebus.OrderByQuantity:    "s.quantity",
	salebus.OrderByPaid:        "s.paid",
	salebus.OrderByDateCreated: "s.date_created",
}
