package salebus

import (
	"time"

	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
)

// Sale is one purchase: BuyerID bought Quantity of ProductID for Paid, at
// TakenAt.
//
// A sale made through the API is taken when it is created. A sale recorded
// offline at a garage sale's table and uploaded later (Ingest) also
// carries the id the seller's device gave it (ClientID) and who uploaded
// it (RecordedBy), was taken at the time the device noted, and may have
// no buyer account: a walk-in buyer is uuid.Nil.
type Sale struct {
	ID          uuid.UUID
	ProductID   uuid.UUID
	BuyerID     uuid.UUID
	Quantity    quantity.Quantity
	Paid        money.Money
	DateCreated time.Time
	TakenAt     time.Time
	ClientID    string
	RecordedBy  uuid.UUID
}

// WalkIn reports whether the buyer has no account.
func (s Sale) WalkIn() bool { return s.BuyerID == uuid.Nil }

// NewSale is what it takes to buy: Quantity is at least one (see
// quantity.ParsePositive); Create refuses zero.
type NewSale struct {
	ProductID uuid.UUID
	BuyerID   uuid.UUID
	Quantity  quantity.Quantity
	Paid      money.Money
}
