package salebus

import (
	"time"

	"github.com/garagesale/service/business/sdk/order"
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

// QueryFilter narrows a sale query; nil fields do not filter.
type QueryFilter struct {
	ID        *uuid.UUID
	ProductID *uuid.UUID
	BuyerID   *uuid.UUID
	StartDate *time.Time // date created, inclusive
	EndDate   *time.Time // date created, exclusive
	// VisibleTo keeps the sales this user bought or sold.
	VisibleTo *uuid.UUID
}

// DefaultOrderBy is newest first.
var DefaultOrderBy = order.NewBy(OrderByDateCreated, order.DESC)

// Fields a sale query can be ordered by.
const (
	OrderByID          = "sale_id"
	OrderByProductID   = "product_id"
	OrderByBuyerID     = "buyer_id"
	OrderByQuantity    = "quantity"
	OrderByPaid        = "paid"
	OrderByDateCreated = "date_created"
)
