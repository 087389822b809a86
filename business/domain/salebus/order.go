package salebus

import "github.com/garagesale/service/business/sdk/order"

// DefaultOrderBy is newest first.
var DefaultOrderBy = order.NewBy(OrderByDateCreated, order.DESC)

// Fields a sale query can be ordered by.
const (
	OrderByID          = "sale_id"
	OrderByProductID   = "product_id"
	OrderByBuyerID     = "buyer_id"
	OrderByQuantity    = "quantity"
	OrderByPaid        = "paid"
	OrderByDateCreated = "date_created"
)
