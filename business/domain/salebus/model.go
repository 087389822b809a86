package salebus

import (
	"time"

	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
)

// Sale is one purchase: BuyerID bought Quantity of ProductID for Paid.
type Sale struct {
	ID          uuid.UUID
	ProductID   uuid.UUID
	BuyerID     uuid.UUID
	Quantity    quantity.Quantity
	Paid        money.Money
	DateCreated time.Time
}

// NewSale is what it takes to buy: Quantity is at least one (see
// quantity.ParsePositive); Create refuses zero.
type NewSale struct {
	ProductID uuid.UUID
	BuyerID   uuid.UUID
	Quantity  quantity.Quantity
	Paid      money.Money
}
