package statsdb

import (
	"fmt"
	"time"

	"github.com/garagesale/service/business/domain/statsbus"
	"github.com/garagesale/service/business/types/date"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
)

type figuresRow struct {
	Day     string `db:"day"`
	Sales   int    `db:"sales"`
	Units   int64  `db:"units"`
	Revenue int64  `db:"revenue"`
}

type dayRow struct {
	figuresRow
	SellerID uuid.UUID `db:"seller_id"`
}

type latestRow struct {
	figuresRow
	LastTakenAt time.Time `db:"last_taken_at"`
}

type saleRow struct {
	ID        uuid.UUID `db:"sale_id"`
	TakenAt   time.Time `db:"taken_at"`
	ProductID uuid.UUID `db:"product_id"`
	SellerID  uuid.UUID `db:"seller_id"`
	Quantity  int       `db:"quantity"`
	Paid      int64     `db:"paid"`
	Offline   bool      `db:"offline"`
}

// toBusFigures loads a row's day and figures. A failure means the table
// was changed behind our back: an error, not a panic.
func toBusFigures(r figuresRow) (date.Date, statsbus.Figures, error) {
	d, err := date.Parse(r.Day)
	if err != nil {
		return date.Date{}, statsbus.Figures{}, fmt.Errorf("load stats: day %q: %w", r.Day, err)
	}
	rev, err := money.TotalOf(r.Revenue)
	if err != nil {
		return date.Date{}, statsbus.Figures{}, fmt.Errorf("load stats of %s: revenue: %w", r.Day, err)
	}
	return d, statsbus.Figures{Sales: r.Sales, Units: r.Units, Revenue: rev}, nil
}

func toBusDay(r dayRow) (statsbus.Day, error) {
	d, f, err := toBusFigures(r.figuresRow)
	if err != nil {
		return statsbus.Day{}, err
	}
	return statsbus.Day{Date: d, SellerID: r.SellerID, Figures: f}, nil
}

func toBusLatest(r latestRow) (statsbus.Latest, error) {
	d, f, err := toBusFigures(r.figuresRow)
	if err != nil {
		return statsbus.Latest{}, err
	}
	return statsbus.Latest{LastTakenAt: r.LastTakenAt.UTC(), Date: d, Figures: f}, nil
}

func toBusSale(r saleRow) (statsbus.PublicSale, error) {
	q, err := quantity.ParsePositive(r.Quantity)
	if err != nil {
		return statsbus.PublicSale{}, fmt.Errorf("load sale %s: quantity: %w", r.ID, err)
	}
	paid, err := money.FromCents(r.Paid)
	if err != nil {
		return statsbus.PublicSale{}, fmt.Errorf("load sale %s: paid: %w", r.ID, err)
	}
	return statsbus.PublicSale{
		ID:        r.ID,
		TakenAt:   r.TakenAt.UTC(),
		ProductID: r.ProductID,
		SellerID:  r.SellerID,
		Quantity:  q,
		Paid:      paid,
		Offline:   r.Offline,
	}, nil
}
