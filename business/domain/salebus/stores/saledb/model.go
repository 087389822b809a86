package saledb

import (
	"database/sql"
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

	ID          uuid.UUID      `db:"sale_id"`
	ProductID   uuid.UUID      `db:"product_id"`
	BuyerID     uuid.NullUUID  `db:"buyer_id"`
	Quantity    int            `db:"quantity"`
	Paid        int64          `db:"paid"`
	DateCreated time.Time      `db:"date_created"`
	TakenAt     time.Time      `db:"taken_at"`
	ClientID    sql.NullString `db:"client_id"`
	RecordedBy  uuid.NullUUID  `db:"recorded_by"`
}

// nullUUID is NULL for uuid.Nil: a walk-in buyer, an online sale's uploader.
func nullUUID(id uuid.UUID) uuid.NullUUID {
	return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil}
}

func toDBSale(bus salebus.Sale) sale {
	return sale{
		ID:          bus.ID,
		ProductID:   bus.ProductID,
		BuyerID:     nullUUID(bus.BuyerID),
		Quantity:    bus.Quantity.Value(),
		Paid:        bus.Paid.Cents(),
		DateCreated: bus.DateCreated.UTC(),
		TakenAt:     bus.TakenAt.UTC(),
		ClientID:    sql.NullString{String: bus.ClientID, Valid: bus.ClientID != ""},
		RecordedBy:  nullUUID(bus.RecordedBy),
	}
}

// toBusSale loads a row. A failure means the table was changed behind our
// back: an error, not a panic.
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
		BuyerID:     db.BuyerID.UUID,
		Quantity:    q,
		Paid:        paid,
		DateCreated: db.DateCreated.UTC(),
		TakenAt:     db.TakenAt.UTC(),
		ClientID:    db.ClientID.String,
		RecordedBy:  db.RecordedBy.UUID,
	}, nil
}
