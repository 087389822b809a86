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

	if err := f.Err(); err != nil {
		return vproductbus.QueryFilter{}, err
	}
	return filter, nil
}
