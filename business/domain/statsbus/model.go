package statsbus

import (
	"errors"
	"fmt"
	"time"

	"github.com/garagesale/service/business/types/date"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
)

// Figures are what a set of sales adds up to.
type Figures struct {
	Sales   int         // how many sales
	Units   int64       // the quantity sold in all
	Revenue money.Total // what was paid in all
}

// Day is one seller's figures on one UTC day.
type Day struct {
	Date     date.Date
	SellerID uuid.UUID
	Figures
}

// Latest is when the last sale was taken and the figures of its UTC day.
type Latest struct {
	LastTakenAt time.Time
	Date        date.Date
	Figures
}

// Any reports whether there was a sale to report.
func (l Latest) Any() bool { return !l.LastTakenAt.IsZero() }

// PublicSale is a sale as a day's public record shows it: never its buyer.
type PublicSale struct {
	ID        uuid.UUID
	TakenAt   time.Time
	ProductID uuid.UUID
	SellerID  uuid.UUID
	Quantity  quantity.Quantity
	Paid      money.Money
	// Offline is a sale recorded on a seller's device and uploaded later.
	Offline bool
}

// MaxDays is the most days a Range holds: a leap year.
const MaxDays = 366

// Range errors, for the caller to name the field at fault.
var (
	ErrRangeInverted = errors.New("from is after to")
	ErrRangeTooLong  = fmt.Errorf("a range holds at most %d days", MaxDays)
)

// Range is whole UTC days, From to To included; made by NewRange, it is
// never inverted nor longer than MaxDays.
type Range struct {
	From, To date.Date
}

// NewRange returns the days from to to, both included.
func NewRange(from, to date.Date) (Range, error) {
	switch n := from.DaysTo(to) + 1; {
	case n < 1:
		return Range{}, ErrRangeInverted
	case n > MaxDays:
		return Range{}, ErrRangeTooLong
	}
	return Range{From: from, To: to}, nil
}

// Filter is what a Daily query covers.
type Filter struct {
	Range Range
	// SellerID, when set, keeps only the sales of that seller's products.
	SellerID *uuid.UUID
}
