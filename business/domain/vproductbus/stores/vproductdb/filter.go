package vproductdb

import (
	"github.com/garagesale/service/business/domain/productbus/stores/productdb"
	"github.com/garagesale/service/business/domain/vproductbus"
	"github.com/garagesale/service/business/sdk/sqldb"
)

// toWhere returns the conditions of filter on view_products: the products
// table's, plus the owner's name.
func toWhere(filter vproductbus.QueryFilter) *sqldb.Where {
	w := productdb.FilterWhere(filter.QueryFilter)
	if filter.UserName != nil {
		w.Add("user_name ILIKE :user_name", "user_name", "%"+sqldb.EscapeLike(*filter.UserName)+"%")
	}
	return w
}
