package vproductdb

import (
	"fmt"
	"time"

	"github.com/garagesale/service/business/domain/vproductbus"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
)

type product struct {
	ID          uuid.UUID `db:"product_id"`
	UserID      uuid.UUID `db:"user_id"`
	Name        string    `db:"name"`
	Cost        int64     `db:"cost"` // cents
	Quantity    int       `db:"quantity"`
	DateCreated time.Time `db:"date_created"`
	DateUpdated time.Time `db:"date_updated"`
	UserName    string    `db:"user_name"`
}

// toBusProduct loads a row. Rows were valid when written, so a failure here
// means the tables were changed behind our back: an error, not a panic.
func toBusProduct(db product) (vproductbus.Product, error) {
	n, err := name.Parse(db.Name)
	if err != nil {
		return vproductbus.Product{}, fmt.Errorf("load vproduct %s: name: %w", db.ID, err)
	}
	cost, err := money.FromCents(db.Cost)
	if err != nil {
		return vproductbus.Product{}, fmt.Errorf("load vproduct %s: cost: %w", db.ID, err)
	}
	qty, err := quantity.Parse(db.Quantity)
	if err != nil {
		return vproductbus.Product{}, fmt.Errorf("load vproduct %s: quantity: %w", db.ID, err)
	}
	un, err := name.Parse(db.UserName)
	if err != nil {
		return vproductbus.Product{}, fmt.Errorf("load vproduct %s: user name: %w", db.ID, err)
	}
	return vproductbus.Product{
		ID:          db.ID,
		UserID:      db.UserID,
		Name:        n,
		Cost:        cost,
		Quantity:    qty,
		DateCreated: db.DateCreated.UTC(),
		DateUpdated: db.DateUpdated.UTC(),
		UserName:    un,
	}, nil
}

func toBusProducts(dbs []product) ([]vproductbus.Product, error) {
	out := make([]vproductbus.Product, len(dbs))
	for i, db := range dbs {
		p, err := toBusProduct(db)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}
