package vproductapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/domain/productapp"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/vproductbus"
)

// parseFilter reads the products filter parameters and userName.
func parseFilter(ctx context.Context, r *http.Request) (vproductbus.QueryFilter, error) {
	f := query.NewFilter(r)

	filter := vproductbus.QueryFilter{
		QueryFilter: productapp.FilterFrom(f),
		UserName:    f.String("userName"),
	}
	return filter, f.Err()
}

// listSpec reads and documents the list route's request.
var listSpec = query.ListSpec[vproductbus.QueryFilter, vproductbus.Product, VProduct]{
	Filter:       parseFilter,
	Order:        orderByFields,
	DefaultOrder: vproductbus.DefaultOrderBy,
	ToApp:        query.Map(toAppProduct),
	Docs:         map[string]string{"name": "only those whose name holds this, in any case", "userName": "only those whose owner's name holds this, in any case"},
}
