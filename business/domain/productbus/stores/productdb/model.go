package productdb

import (
	"fmt"
	"time"

	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
)

// Row is a products row; vproductdb loads its rows with it too.
type Row struct {
	sqldb.PageKey

	ID          uuid.UUID `db:"product_id"`
	UserID      uuid.UUID `db:"user_id"`
	Name        string    `db:"name"`
	Cost        int64     `db:"cost"`      // cents
	MinPrice    *int64    `db:"min_price"` // cents
	Quantity    int       `db:"quantity"`
	DateCreated time.Time `db:"date_created"`
	DateUpdated time.Time `db:"date_updated"`
}

func toDBProduct(bus productbus.Product) Row {
	return Row{
		ID:          bus.ID,
		UserID:      bus.UserID,
		Name:        bus.Name.String(),
		Cost:        bus.Cost.Cents(),
		MinPrice:    centsOf(bus.MinPrice),
		Quantity:    bus.Quantity.Value(),
		DateCreated: bus.DateCreated.UTC(),
		DateUpdated: bus.DateUpdated.UTC(),
	}
}

// Load turns a row into a product. A failure means the table was changed
// behind our back: an error, not a panic.
func Load(db Row) (productbus.Product, error) {
	n, err := name.Load(db.Name)
	if err != nil {
		return productbus.Product{}, fmt.Errorf("load product %s: name: %w", db.ID, err)
	}
	cost, err := money.FromCents(db.Cost)
	if err != nil {
		return productbus.Product{}, fmt.Errorf("load product %s: cost: %w", db.ID, err)
	}
	var minPrice *money.Money
	if db.MinPrice != nil {
		m, err := money.FromCents(*db.MinPrice)
		if err != nil {
			return productbus.Product{}, fmt.Errorf("load product %s: min price: %w", db.ID, err)
		}
		minPrice = &m
	}
	qty, err := quantity.Parse(db.Quantity)
	if err != nil {
		return productbus.Product{}, fmt.Errorf("load product %s: quantity: %w", db.ID, err)
	}
	return productbus.Product{
		ID:          db.ID,
		UserID:      db.UserID,
		Name:        n,
		Cost:        cost,
		MinPrice:    minPrice,
		Quantity:    qty,
		DateCreated: db.DateCreated.UTC(),
		DateUpdated: db.DateUpdated.UTC(),
	}, nil
}

func centsOf(m *money.Money) *int64 {
	if m == nil {
		return nil
	}
	c := m.Cents()
	return &c
}
