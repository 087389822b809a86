package salebus

import (
	"time"

	"github.com/google/uuid"
)

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
