package vproductapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/domain/productapp"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/vproductbus"
)

// VProduct is a product with its owner's name as the API shows it: the
// product's fields, then userName, in one JSON object.
type VProduct struct {
	productapp.Product
	UserName string `json:"userName"`
}

func toAppProduct(bus vproductbus.Product) VProduct {
	return VProduct{Product: productapp.ToAppProduct(bus.Product), UserName: bus.UserName.String()}
}

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

// orderByFields maps the JSON names a client orders by to the business's.
var orderByFields = map[string]string{
	"id":          vproductbus.OrderByID,
	"userID":      vproductbus.OrderByUserID,
	"name":        vproductbus.OrderByName,
	"cost":        vproductbus.OrderByCost,
	"quantity":    vproductbus.OrderByQuantity,
	"dateCreated": vproductbus.OrderByDateCreated,
	"userName":    vproductbus.OrderByUserName,
}
