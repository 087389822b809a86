package saledb

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestOrdersReadAnIndex checks that each ordering the list offers is read
// from an index in order, on page 1 and deep by cursor, at a size where the
// planner would rather sort than read a useless index.
func TestOrdersReadAnIndex(t *testing.T) {
	db := dbtest.New(t, "saledb_plans")
	dbtest.Grow(t, db.DB, 5000, map[string]map[string]string{
		"sales": {"sale_id": "gen_random_uuid()", "quantity": "1 + i % 5", "paid": "(i * 7919) % 100000", "client_id": "NULL", "date_created": "r.date_created - i * interval '1 minute'"},
	})
	dbtest.CheckOrderPlans(t, db.DB, "sales", orderByColumns, func(by order.By, pg page.Page) (string, map[string]any, error) {
		return selectSales(salebus.QueryFilter{}, by).Statement(pg)
	})
}

// TestClientIDLookupProbesTheIndex: the lookup of an upload's ids reads
// the (recorded_by, client_id) index by both columns under the generic
// plan Postgres settles on for a prepared statement, which cannot see how
// many ids there are, also when the statistics predate the uploads (as
// make load found them: a seller's second upload of 20,000 lines took a
// second a batch).
func TestClientIDLookupProbesTheIndex(t *testing.T) {
	db := dbtest.New(t, "saledb_client_ids")
	ctx := context.Background()
	if err := migrate.Seed(ctx, db.DB); err != nil {
		t.Fatal(err)
	}
	var seller uuid.UUID
	if err := db.DB.GetContext(ctx, &seller, `SELECT user_id FROM users WHERE email = 'user@example.com'`); err != nil {
		t.Fatal(err)
	}
	// Statistics of the seed's sales, then the uploads autovacuum has not
	// analyzed yet.
	for _, q := range []string{
		`ANALYZE sales`,
		`ALTER TABLE sales SET (autovacuum_enabled = off)`,
		`INSERT INTO sales (sale_id, product_id, quantity, paid, date_created, taken_at, client_id, recorded_by)
			SELECT gen_random_uuid(), s.product_id, 1, 0, s.date_created, s.date_created, 'up-' || i, '` + seller.String() + `'
			FROM generate_series(1, 20000) i, (SELECT product_id, date_created FROM sales LIMIT 1) s`,
	} {
		if _, err := db.DB.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("new-%d", i)
	}
	bound, args, err := sqlx.Named(byClientIDs, map[string]any{"recorded_by": seller, "client_ids": ids})
	if err != nil {
		t.Fatal(err)
	}

	conn, err := db.DB.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{`SET plan_cache_mode = force_generic_plan`, `PREPARE lookup AS ` + db.DB.Rebind(bound)} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// EXPLAIN takes no parameters: the values go in as literals, in the
	// order Named bound them (the ids, then the seller).
	if len(args) != 2 {
		t.Fatalf("%d parameters, want the ids and the seller", len(args))
	}
	var lines []string
	explain := fmt.Sprintf(`EXPLAIN EXECUTE lookup('{%s}', '%s')`, strings.Join(ids, ","), seller)
	if err := conn.SelectContext(ctx, &lines, explain); err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	probes := false
	for _, l := range lines {
		if strings.Contains(l, "Index Cond:") && strings.Contains(l, "client_id") {
			probes = true
		}
	}
	if !probes || strings.Contains(plan, "Filter") {
		t.Errorf("the generic plan does not probe the index by seller and id:\n%s", plan)
	}
}
