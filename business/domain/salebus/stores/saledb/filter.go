package saledb

import (
	"strings"

	"github.com/garagesale/service/business/domain/salebus"
)

// applyFilter appends the WHERE clause of filter to buf and its values to
// data. Only placeholders reach the SQL; values go through data. The sales
// table is aliased s.
func applyFilter(filter salebus.QueryFilter, data map[string]any, buf *strings.Builder) {
	var wc []string

	if filter.ID != nil {
		data["sale_id"] = *filter.ID
		wc = append(wc, "s.sale_id = :sale_id")
	}
	if filter.ProductID != nil {
		data["product_id"] = *filter.ProductID
		wc = append(wc, "s.product_id = :product_id")
	}
	if filter.BuyerID != nil {
		data["buyer_id"] = *filter.BuyerID
		wc = append(wc, "s.buyer_id = :buyer_id")
	}
	if filter.StartDate != nil {
		data["start_date"] = filter.StartDate.UTC()
		wc = append(wc, "s.date_created >= :start_date")
	}
	if filter.EndDate != nil {
		data["end_date"] = filter.EndDate.UTC()
		wc = append(wc, "s.date_created < :end_date")
	}
	if filter.VisibleTo != nil {
		data["visible_to"] = *filter.VisibleTo
		wc = append(wc, `(s.buyer_id = :visible_to OR EXISTS (
			SELECT 1 FROM products p WHERE p.product_id = s.product_id AND p.user_id = :visible_to))`)
	}

	if len(wc) > 0 {
		buf.WriteString(" WHERE ")
		buf.WriteString(strings.Join(wc, " AND "))
	}
}
