package saleapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/salebus"
)

// parseFilter reads the sales filter parameters. A USER's is narrowed to
// the sales they bought or sold, so totals count only what they may see.
func parseFilter(ctx context.Context, r *http.Request) (salebus.QueryFilter, error) {
	f := query.NewFilter(r)

	filter := salebus.QueryFilter{
		ID:        f.UUID("id"),
		ProductID: f.UUID("productID"),
		BuyerID:   f.UUID("buyerID"),
		StartDate: f.Time("dateCreatedFrom"),
		EndDate:   f.Time("dateCreatedBefore"),
	}

	if err := f.Err(); err != nil {
		return salebus.QueryFilter{}, err
	}
	if viewer, admin := caller(ctx); !admin {
		filter.VisibleTo = &viewer
	}
	return filter, nil
}

// listSpec reads and documents the list route's request.
var listSpec = query.ListSpec[salebus.QueryFilter, salebus.Sale, Sale]{
	Filter:       parseFilter,
	Order:        orderByFields,
	DefaultOrder: salebus.DefaultOrderBy,
	ToApp:        query.Map(toAppSale),
}
