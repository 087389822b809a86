package dbtest

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"
)

// invariants must hold however the requests that wrote the data ended
// (cut off, retried, raced); each query returns one line per breach.
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

// CheckInvariants fails t for every breach of the invariants in db.
func CheckInvariants(t testing.TB, db sqlx.QueryerContext) {
	t.Helper()
	for _, inv := range invariants {
		var breaches []string
		if err := sqlx.SelectContext(context.Background(), db, &breaches, inv.query); err != nil {
			t.Fatalf("dbtest: check %q: %v", inv.name, err)
		}
		for _, b := range breaches {
			t.Errorf("invariant broken: %s: %s", inv.name, b)
		}
	}
}
