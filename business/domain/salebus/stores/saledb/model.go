package saledb

import (
	"fmt"
	"time"

	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
)

type sale struct {
	sqldb.PageKey

	ID          uuid.UUID `db:"sale_id"`
	ProductID   uuid.UUID `db:"product_id"`
	BuyerID     uuid.UUID `db:"buyer_id"`
	Quantity    int       `db:"quantity"`
	Paid        int64     `db:"paid"`
	DateCreated time.Time `db:"date_created"`
}

func toDBSale(bus salebus.Sale) sale {
	return sale{
		ID:          bus.ID,
		ProductID:   bus.ProductID,
		BuyerID:     bus.BuyerID,
		Quantity:    bus.Quantity.Value(),
		Paid:        bus.Paid.Cents(),
		DateCreated: bus.DateCreated.UTC(),
	}
}

// toBusSale loads a row. Rows were valid when written, so a failure here
// means the table was changed behind our back: an error, not a panic.
func toBusSale(db sale) (salebus.Sale, error) {
	q, err := quantity.ParsePositive(db.Quantity)
	if err != nil {
		return salebus.Sale{}, fmt.Errorf("load sale %s: quantity: %w", db.ID, err)
	}
	paid, err := money.FromCents(db.Paid)
	if err != nil {
		return salebus.Sale{}, fmt.Errorf("load sale %s: paid: %w", db.ID, err)
	}
	return salebus.Sale{
		ID:          db.ID,
		ProductID:   db.ProductID,
		BuyerID:     db.BuyerID,
		Quantity:    q,
		Paid:        paid,
		DateCreated: db.DateCreated.UTC(),
	}, nil
}

func toBusSales(dbs []sale) ([]salebus.Sale, error) {
	out := make([]salebus.Sale, len(dbs))
	for i, db := range dbs {
		s, err := toBusSale(db)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}
