package productdb

import (
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/sdk/sqldb"
)

// FilterWhere returns the conditions of filter on the products table, or
// on any relation with its columns (view_products).
func FilterWhere(filter productbus.QueryFilter) *sqldb.Where {
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
	return w
}
