package statsbus

import (
	"errors"
	"fmt"

	"github.com/garagesale/service/business/types/date"
	"github.com/google/uuid"
)

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
