package productbus

import (
	"time"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
)

// Product is an item for sale as the business knows it.
type Product struct {
	ID     uuid.UUID
	UserID uuid.UUID
	Name   name.Name
	Cost   money.Money
	// MinPrice, when set, is the least an online buyer pays a unit while
	// it is below Cost (a sale price); nil is Cost. One set at or above
	// Cost is not kept (see saleOnly): setting it to Cost ends a sale.
	MinPrice    *money.Money
	Quantity    quantity.Quantity
	DateCreated time.Time
	DateUpdated time.Time
}

// Floor is the least an online buyer pays for a unit: MinPrice, if the
// seller set it below Cost, else Cost.
func (p Product) Floor() money.Money {
	if p.MinPrice != nil && p.MinPrice.Cents() < p.Cost.Cents() {
		return *p.MinPrice
	}
	return p.Cost
}

// NewProduct is what it takes to create a product. UserID is the owner.
type NewProduct struct {
	UserID   uuid.UUID
	Name     name.Name
	Cost     money.Money
	MinPrice *money.Money
	Quantity quantity.Quantity
}

// product is the product np makes, with id, created at now.
func (np NewProduct) product(id uuid.UUID, now time.Time) Product {
	return Product{
		ID:          id,
		UserID:      np.UserID,
		Name:        np.Name,
		Cost:        np.Cost,
		MinPrice:    saleOnly(np.MinPrice, np.Cost),
		Quantity:    np.Quantity,
		DateCreated: now,
		DateUpdated: now,
	}
}

// saleOnly is minPrice as set against cost: nil unless it is below cost,
// so a seller ends a sale by sending the cost (null leaves a field of an
// update as it is). A sale price that a later, lower cost passes is kept,
// unused until the cost rises past it again.
func saleOnly(minPrice *money.Money, cost money.Money) *money.Money {
	if minPrice == nil || minPrice.Cents() >= cost.Cents() {
		return nil
	}
	return minPrice
}

// UpdateProduct is a partial update: nil fields are left as they are.
type UpdateProduct struct {
	Name     *name.Name
	Cost     *money.Money
	MinPrice *money.Money
	Quantity *quantity.Quantity
}

// apply copies every field that is set; each field stands alone, so a
// quantity-only update changes the quantity.
func (up UpdateProduct) apply(prd *Product) {
	if up.Name != nil {
		prd.Name = *up.Name
	}
	if up.Cost != nil {
		prd.Cost = *up.Cost
	}
	if up.MinPrice != nil {
		prd.MinPrice = saleOnly(up.MinPrice, prd.Cost)
	}
	if up.Quantity != nil {
		prd.Quantity = *up.Quantity
	}
}

// QueryFilter narrows a product query; nil fields do not filter. Ranges
// are inclusive at both ends.
type QueryFilter struct {
	ID          *uuid.UUID
	Name        *string // substring, any case
	CostMin     *money.Money
	CostMax     *money.Money
	QuantityMin *int
	QuantityMax *int
	UserID      *uuid.UUID
}

// DefaultOrderBy is the order of a query that names none.
var DefaultOrderBy = order.NewBy(OrderByID, order.ASC)

// Fields a product query can be ordered by.
const (
	OrderByID          = "product_id"
	OrderByUserID      = "user_id"
	OrderByName        = "name"
	OrderByCost        = "cost"
	OrderByQuantity    = "quantity"
	OrderByDateCreated = "date_created"
)
