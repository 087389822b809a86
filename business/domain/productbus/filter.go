package productbus

import (
	"github.com/garagesale/service/business/types/money"
	"github.com/google/uuid"
)

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
