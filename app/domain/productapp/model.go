package productapp

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/app/sdk/valid"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
)

// Product is a product as the API shows it. Cost is a json.Number so the
// amount is written as exact decimal text, never through a float.
type Product struct {
	ID     string      `json:"id" openapi:"format=uuid"`
	UserID string      `json:"userID" openapi:"format=uuid"`
	Name   string      `json:"name"`
	Cost   json.Number `json:"cost"`
	// MinPrice is the least an online buyer pays a unit, when the seller
	// set it below the cost.
	MinPrice    *json.Number `json:"minPrice,omitempty" doc:"the seller's sale price: the least an online buyer pays a unit while it is below cost"`
	Quantity    int          `json:"quantity" openapi:"minimum=0"`
	DateCreated string       `json:"dateCreated" openapi:"format=date-time"`
	DateUpdated string       `json:"dateUpdated" openapi:"format=date-time"`
}

// ToAppProduct is exported for vproductapp, whose rows are products with
// one more field.
func ToAppProduct(bus productbus.Product) Product {
	return Product{
		ID:          bus.ID.String(),
		UserID:      bus.UserID.String(),
		Name:        bus.Name.String(),
		Cost:        json.Number(bus.Cost.Decimal()),
		MinPrice:    decimalOf(bus.MinPrice),
		Quantity:    bus.Quantity.Value(),
		DateCreated: query.FormatTime(bus.DateCreated),
		DateUpdated: query.FormatTime(bus.DateUpdated),
	}
}

// NewProduct is the body of POST /v1/products. The owner is the caller.
type NewProduct struct {
	Name string `json:"name" validate:"required" openapi:"minLength=1,maxLength=100"`
	// Cost is kept raw so it is read from its exact digits and a malformed
	// amount is reported against cost.
	Cost     money.Sent `json:"cost" validate:"required" openapi:"type=number,minimum=0,maximum=1000000000" doc:"in currency units, at most 2 decimals"`
	MinPrice money.Sent `json:"minPrice" openapi:"type=number|null,minimum=0,maximum=1000000000" doc:"optional: a sale price, the least an online buyer pays a unit while it is below cost; absent, null, or at or above cost is none"`
	Quantity *int       `json:"quantity" validate:"required" openapi:"minimum=0,maximum=1000000"`
}

// toBusNewProduct checks every field at once, so one response names every
// bad field.
func toBusNewProduct(app NewProduct, owner uuid.UUID) (productbus.NewProduct, error) {
	fe := valid.Fields(app)

	n, err := name.Parse(app.Name)
	fe.Add("name", err)
	cost, err := money.ParseJSON(app.Cost)
	fe.Add("cost", err)
	minPrice := parseMinPrice(app.MinPrice, fe)
	var qty quantity.Quantity
	if app.Quantity != nil {
		qty, err = quantity.Parse(*app.Quantity)
		fe.Add("quantity", err)
	}

	if err := fe.ToError(); err != nil {
		return productbus.NewProduct{}, err
	}
	return productbus.NewProduct{UserID: owner, Name: n, Cost: cost, MinPrice: minPrice, Quantity: qty}, nil
}

// UpdateProduct is the body of PUT /v1/products/{productID}: only the
// fields sent change.
type UpdateProduct struct {
	Name     *string    `json:"name" openapi:"minLength=1,maxLength=100"`
	Cost     money.Sent `json:"cost" openapi:"type=number|null,minimum=0,maximum=1000000000" doc:"in currency units, at most 2 decimals; absent or null leaves it as it is"`
	MinPrice money.Sent `json:"minPrice" openapi:"type=number|null,minimum=0,maximum=1000000000" doc:"a sale price, the least an online buyer pays a unit while it is below cost; absent or null leaves it as it is; the cost or more ends the sale"`
	Quantity *int       `json:"quantity" openapi:"minimum=0,maximum=1000000"`
}

func toBusUpdateProduct(app UpdateProduct) (productbus.UpdateProduct, error) {
	var bus productbus.UpdateProduct
	fe := errs.FieldErrors{}
	if app.Name != nil {
		n, err := name.Parse(*app.Name)
		fe.Add("name", err)
		bus.Name = &n
	}
	if app.Cost != nil && string(app.Cost) != "null" {
		c, err := money.ParseJSON(app.Cost)
		fe.Add("cost", err)
		bus.Cost = &c
	}
	bus.MinPrice = parseMinPrice(app.MinPrice, fe)
	if app.Quantity != nil {
		q, err := quantity.Parse(*app.Quantity)
		fe.Add("quantity", err)
		bus.Quantity = &q
	}

	if err := fe.ToError(); err != nil {
		return productbus.UpdateProduct{}, err
	}
	return bus, nil
}

// parseMinPrice reads an optional minPrice, recording a field error in fe.
func parseMinPrice(raw money.Sent, fe errs.FieldErrors) *money.Money {
	if raw == nil || string(raw) == "null" {
		return nil
	}
	m, err := money.ParseJSON(raw)
	fe.Add("minPrice", err)
	return &m
}

func decimalOf(m *money.Money) *json.Number {
	if m == nil {
		return nil
	}
	n := json.Number(m.Decimal())
	return &n
}

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

// orderByFields maps the JSON names a client orders by to the business's.
var orderByFields = map[string]string{
	"id":          productbus.OrderByID,
	"userID":      productbus.OrderByUserID,
	"name":        productbus.OrderByName,
	"cost":        productbus.OrderByCost,
	"quantity":    productbus.OrderByQuantity,
	"dateCreated": productbus.OrderByDateCreated,
}
