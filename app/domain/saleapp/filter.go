package saleapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/salebus"
)

// parseFilter reads ?sale_id= &product_id= &buyer_id= &start_date=
// (inclusive) &end_date= (exclusive), dates in RFC 3339. A USER's filter is
// narrowed to the sales they bought or sold, in the query itself, so totals
// and pages count only what they may see.
func parseFilter(ctx context.Context, r *http.Request) (salebus.QueryFilter, error) {
	f := query.NewFilter(r)

	filter := salebus.QueryFilter{
		ID:        f.UUID("sale_id"),
		ProductID: f.UUID("product_id"),
		BuyerID:   f.UUID("buyer_id"),
		StartDate: f.Time("start_date"),
		EndDate:   f.Time("end_date"),
	}

	if err := f.Err(); err != nil {
		return salebus.QueryFilter{}, err
	}
	if viewer, admin := caller(ctx); !admin {
		filter.VisibleTo = &viewer
	}
	return filter, nil
}
