package saledb

import (
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/sdk/sqldb"
)

// toWhere returns the conditions of filter on the sales table, aliased s.
func toWhere(filter salebus.QueryFilter) *sqldb.Where {
	w := sqldb.NewWhere()
	if filter.ID != nil {
		w.Add("s.sale_id = :sale_id", "sale_id", *filter.ID)
	}
	if filter.ProductID != nil {
		w.Add("s.product_id = :product_id", "product_id", *filter.ProductID)
	}
	if filter.BuyerID != nil {
		w.Add("s.buyer_id = :buyer_id", "buyer_id", *filter.BuyerID)
	}
	if filter.StartDate != nil {
		w.Add("s.date_created >= :start_date", "start_date", filter.StartDate.UTC())
	}
	if filter.EndDate != nil {
		w.Add("s.date_created < :end_date", "end_date", filter.EndDate.UTC())
	}
	if filter.VisibleTo != nil {
		w.Add(`(s.buyer_id = :visible_to OR EXISTS (
			SELECT 1 FROM products p WHERE p.product_id = s.product_id AND p.user_id = :visible_to))`,
			"visible_to", *filter.VisibleTo)
	}
	return w
}
