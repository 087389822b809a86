package productapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/types/quantity"
)

// parseFilter reads the products filter parameters.
func parseFilter(ctx context.Context, r *http.Request) (productbus.QueryFilter, error) {
	f := query.NewFilter(r)
	filter := FilterFrom(f)
	return filter, f.Err()
}

// FilterFrom reads the product filter parameters from f, recording a field
// error in f for each malformed one. The products read model shares it.
func FilterFrom(f *query.Filter) productbus.QueryFilter {
	return productbus.QueryFilter{
		ID:          f.UUID("id"),
		Name:        f.String("name"),
		CostMin:     f.Money("costMin"),
		CostMax:     f.Money("costMax"),
		QuantityMin: f.Int("quantityMin", 0, quantity.Max),
		QuantityMax: f.Int("quantityMax", 0, quantity.Max),
		UserID:      f.UUID("userID"),
	}
}

// listSpec reads and documents the list route's request.
var listSpec = query.ListSpec[productbus.QueryFilter, productbus.Product, Product]{
	Filter:       parseFilter,
	Order:        orderByFields,
	DefaultOrder: productbus.DefaultOrderBy,
	ToApp:        query.Map(ToAppProduct),
	Docs:         map[string]string{"name": "only those whose name holds this, in any case"},
}
