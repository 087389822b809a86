package vproductdb

import (
	"github.com/garagesale/service/business/domain/vproductbus"
	"github.com/garagesale/service/business/sdk/sqldb"
)

// toWhere returns the conditions of filter on the view_products view.
func toWhere(filter vproductbus.QueryFilter) *sqldb.Where {
	w := sqldb.NewWhere()
	if filter.ID != nil {
		w.Add("product_id = :product_id", "product_id", *filter.ID)
	}
	if filter.Name != nil {
		w.Add("name ILIKE :name", "name", "%"+sqldb.EscapeLike(*filter.Name)+"%")
	}
	if filter.CostMin != nil {
		w.Add("cost >= :cost_min", "cost_min", filter.CostMin.Cents())
	}
	if filter.CostMax != nil {
		w.Add("cost <= :cost_max", "cost_max", filter.CostMax.Cents())
	}
	if filter.QuantityMin != nil {
		w.Add("quantity >= :quantity_min", "quantity_min", *filter.QuantityMin)
	}
	if filter.QuantityMax != nil {
		w.Add("quantity <= :quantity_max", "quantity_max", *filter.QuantityMax)
	}
	if filter.UserID != nil {
		w.Add("user_id = :user_id", "user_id", *filter.UserID)
	}
	if filter.UserName != nil {
		w.Add("user_name ILIKE :user_name", "user_name", "%"+sqldb.EscapeLike(*filter.UserName)+"%")
	}
	return w
}
