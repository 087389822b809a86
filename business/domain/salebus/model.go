package salebus

import (
	"time"

	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
)

// Sale is one purchase: BuyerID bought Quantity of ProductID for Paid, at
// TakenAt. A sale recorded offline and uploaded later (Ingest) also
// carries its device's id for it (ClientID) and its uploader
// (RecordedBy), and a walk-in buyer is uuid.Nil.
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

// NewSale is what it takes to buy; Create refuses a zero Quantity.
type NewSale struct {
	ProductID uuid.UUID
	BuyerID   uuid.UUID
	Quantity  quantity.Quantity
	Paid      money.Money
}
