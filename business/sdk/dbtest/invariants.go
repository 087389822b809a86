package dbtest

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"
)

// invariants are what must hold of the data however the requests that
// wrote it ended: answered, refused, cut off, retried or raced. Each query
// returns one line per breach.
var invariants = []struct {
	name  string
	query string
}{
	{
		// A sale takes exactly its quantity out of stock and deleting it
		// puts exactly that back, so no unit is ever lost or made.
		name: "stock + sold = stock added",
		query: `
		SELECT format('product %s: stock %s + sold %s <> stock added %s',
			p.product_id, p.quantity, coalesce(s.sold, 0), p.stock_added)
		FROM products p
		LEFT JOIN (SELECT product_id, sum(quantity) AS sold FROM sales GROUP BY product_id) s
			ON s.product_id = p.product_id
		WHERE p.quantity + coalesce(s.sold, 0) <> p.stock_added
		ORDER BY p.product_id`,
	},
	{
		// A sale and its audit row are written in one transaction.
		name: "every sale is audited",
		query: `
		SELECT format('sale %s has no audit row', s.sale_id)
		FROM sales s
		WHERE NOT EXISTS (
			SELECT 1 FROM audits a
			WHERE a.obj_id = s.sale_id AND a.obj_domain = 'sale' AND a.action = 'created')
		ORDER BY s.sale_id`,
	},
}

// Invariants checks the data of db and returns one line per breach; none
// means every invariant holds.
func Invariants(ctx context.Context, db sqlx.QueryerContext) ([]string, error) {
	var breaches []string
	for _, inv := range invariants {
		var lines []string
		if err := sqlx.SelectContext(ctx, db, &lines, inv.query); err != nil {
			return nil, fmt.Errorf("check %q: %w", inv.name, err)
		}
		for _, l := range lines {
			breaches = append(breaches, inv.name+": "+l)
		}
	}
	return breaches, nil
}

// CheckInvariants fails t for every breach Invariants finds in db.
func CheckInvariants(t testing.TB, db sqlx.QueryerContext) {
	t.Helper()
	breaches, err := Invariants(context.Background(), db)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	for _, b := range breaches {
		t.Errorf("invariant broken: %s", b)
	}
}
