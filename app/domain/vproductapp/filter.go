package vproductapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/domain/productapp"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/vproductbus"
)

// parseFilter reads the products filter (?id= &name= &costMin= &costMax=
// &quantityMin= &quantityMax= &userID=) and &userName= (substring). Ranges
// are inclusive.
func parseFilter(ctx context.Context, r *http.Request) (vproductbus.QueryFilter, error) {
	f := query.NewFilter(r)

	filter := vproductbus.QueryFilter{
		QueryFilter: productapp.FilterFrom(f),
		UserName:    f.String("userName"),
	}
	return filter, f.Err()
}

// listSpec is how the list route reads its request, and what its
// documentation says of its parameters.
var listSpec = query.ListSpec[vproductbus.QueryFilter, vproductbus.Product, VProduct]{
	Filter:       parseFilter,
	Order:        orderByFields,
	DefaultOrder: vproductbus.DefaultOrderBy,
	ToApp:        query.Map(toAppProduct),
	Docs:         map[string]string{"name": "only those whose name holds this, in any case", "userName": "only those whose owner's name holds this, in any case"},
}
