package productbus

import (
	"time"

	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
)

// Product is an item for sale as the business knows it.
type Product struct {
	ID          uuid.UUID
	UserID      uuid.UUID
	Name        name.Name
	Cost        money.Money
	Quantity    quantity.Quantity
	DateCreated time.Time
	DateUpdated time.Time
}

// NewProduct is what it takes to create a product. UserID is the owner.
type NewProduct struct {
	UserID   uuid.UUID
	Name     name.Name
	Cost     money.Money
	Quantity quantity.Quantity
}

// UpdateProduct is a partial update: nil fields are left as they are.
type UpdateProduct struct {
	Name     *name.Name
	Cost     *money.Money
	Quantity *quantity.Quantity
}
