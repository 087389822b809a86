package productdb

import (
	"strings"

	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/sdk/sqldb"
)

// applyFilter appends the WHERE clause of filter to buf and its values to
// data. Only placeholders reach the SQL; values go through data.
func applyFilter(filter productbus.QueryFilter, data map[string]any, buf *strings.Builder) {
	var wc []string

	if filter.ID != nil {
		data["product_id"] = *filter.ID
		wc = append(wc, "product_id = :product_id")
	}
	if filter.Name != nil {
		data["name"] = "%" + sqldb.EscapeLike(*filter.Name) + "%"
		wc = append(wc, "name ILIKE :name")
	}
	if filter.CostMin != nil {
		data["cost_min"] = filter.CostMin.Cents()
		wc = append(wc, "cost >= :cost_min")
	}
	if filter.CostMax != nil {
		data["cost_max"] = filter.CostMax.Cents()
		wc = append(wc, "cost <= :cost_max")
	}
	if filter.QuantityMin != nil {
		data["quantity_min"] = *filter.QuantityMin
		wc = append(wc, "quantity >= :quantity_min")
	}
	if filter.QuantityMax != nil {
		data["quantity_max"] = *filter.QuantityMax
		wc = append(wc, "quantity <= :quantity_max")
	}
	if filter.UserID != nil {
		data["user_id"] = *filter.UserID
		wc = append(wc, "user_id = :user_id")
	}

	if len(wc) > 0 {
		buf.WriteString(" WHERE ")
		buf.WriteString(strings.Join(wc, " AND "))
	}
}
