package migrate_test

import (
	"context"
	"testing"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/google/go-cmp/cmp"
)

// TestSeedSalesTakeStockOnce checks that the seeded sales are there once
// and that their quantities left the stock once, however often the seed
// runs.
func TestSeedSalesTakeStockOnce(t *testing.T) {
	d := dbtest.New(t, t.Name())
	ctx := context.Background()

	type stock struct {
		Name     string `db:"name"`
		Quantity int    `db:"quantity"`
		Sold     int    `db:"sold"`
	}
	read := func() []stock {
		var out []stock
		err := d.DB.SelectContext(ctx, &out, `
			SELECT p.name, p.quantity, COALESCE(sum(s.quantity), 0) AS sold
			FROM products p LEFT JOIN sales s ON s.product_id = p.product_id
			GROUP BY p.product_id, p.name, p.quantity ORDER BY p.name`)
		if err != nil {
			t.Fatalf("read stock: %v", err)
		}
		return out
	}

	// The products seed lists the stock before any sale; the sales seed
	// takes what it sold out of it.
	want := []stock{
		{Name: "Board Games", Quantity: 3, Sold: 0},
		{Name: "Comic Books", Quantity: 40, Sold: 2},
		{Name: "McDonalds Toys", Quantity: 115, Sold: 5},
		{Name: "Vinyl Records", Quantity: 14, Sold: 1},
	}
	for i := range 2 {
		if err := migrate.Seed(ctx, d.DB); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		if diff := cmp.Diff(want, read()); diff != "" {
			t.Errorf("stock and sales after seed %d (-want +got):\n%s", i+1, diff)
		}
	}
}
