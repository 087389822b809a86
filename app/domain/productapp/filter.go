package productapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/types/quantity"
)

// parseFilter reads ?product_id= &name= (substring) &cost_min= &cost_max=
// (currency units) &quantity_min= &quantity_max= &user_id=. Ranges are
// inclusive.
func parseFilter(ctx context.Context, r *http.Request) (productbus.QueryFilter, error) {
	f := query.NewFilter(r)
	filter := FilterFrom(f)
	if err := f.Err(); err != nil {
		return productbus.QueryFilter{}, err
	}
	return filter, nil
}

// FilterFrom reads the product filter parameters from f, recording a field
// error in f for each malformed one. The products read model shares it.
func FilterFrom(f *query.Filter) productbus.QueryFilter {
	return productbus.QueryFilter{
		ID:          f.UUID("product_id"),
		Name:        f.String("name"),
		CostMin:     f.Money("cost_min"),
		CostMax:     f.Money("cost_max"),
		QuantityMin: f.Int("quantity_min", 0, quantity.Max),
		QuantityMax: f.Int("quantity_max", 0, quantity.Max),
		UserID:      f.UUID("user_id"),
	}
}
