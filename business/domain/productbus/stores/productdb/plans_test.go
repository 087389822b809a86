package productdb

import (
	"strings"
	"testing"

	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/types/money"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// grown is how the plan tests grow products: 5,000 copies of each seeded
// product, with costs, quantities and times spread out.
var grown = map[string]map[string]string{
	"products": {"product_id": "gen_random_uuid()", "name": "r.name || ' ' || i", "cost": "(i * 7919) % 100000", "quantity": "i % 500", "stock_added": "i % 500", "date_created": "r.date_created - i * interval '1 minute'"},
}

// TestOrdersReadAnIndex checks that each ordering the list offers is read
// from an index in order, on page 1 and deep by cursor, at a size where the
// planner would rather sort than read a useless index.
func TestOrdersReadAnIndex(t *testing.T) {
	db := dbtest.New(t, "productdb_plans")
	dbtest.Grow(t, db.DB, 5000, grown)
	dbtest.CheckOrderPlans(t, db.DB, "products", orderByColumns, func(by order.By, pg page.Page) (string, map[string]any, error) {
		return selectProducts(productbus.QueryFilter{}, by).Statement(pg)
	})
}

// TestFiltersReadAnIndex checks that a filter on an indexed column is
// counted from its index, even when it matches most rows: a count that
// reads the table itself reads it from the kernel on every request once
// the table outgrows a quarter of shared_buffers.
func TestFiltersReadAnIndex(t *testing.T) {
	db := dbtest.New(t, "productdb_filter_plans")
	dbtest.Grow(t, db.DB, 5000, grown)
	var owner uuid.UUID
	if err := db.DB.Get(&owner, "SELECT user_id FROM products GROUP BY user_id ORDER BY count(*) DESC LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	cost, err := money.FromCents(50_000)
	if err != nil {
		t.Fatal(err)
	}
	quantity := 250
	filters := map[string]productbus.QueryFilter{
		"userID (most rows)": {UserID: &owner},
		"costMin (half)":     {CostMin: &cost},
		"costMax (half)":     {CostMax: &cost},
		"quantityMin (half)": {QuantityMin: &quantity},
		"quantityMax (half)": {QuantityMax: &quantity},
	}
	lists := map[string]dbtest.PageQuery{}
	for name, f := range filters {
		lists[name] = selectProducts(f, productbus.DefaultOrderBy).Statement
	}
	dbtest.CheckFilterPlans(t, db.DB, "products", lists)
}

// TestRangeFiltersReadNoRowToThrowAway checks that a selective range
// filter on quantity or cost, in the default order, is tested on index
// entries (an Index Cond), not on rows read from the table only to be
// thrown away (a Filter): on the primary key a 1% filter read a hundred
// rows for each one on its page, and at a million products those rows sit
// on as many pages, so its cost grew with the table. (A plan that reads
// the few matches past a deep cursor from the filter's own index and
// sorts them is fine here: at this size there are a few dozen, and the
// planner weighs that sort against the walk as the table grows.)
func TestRangeFiltersReadNoRowToThrowAway(t *testing.T) {
	db := dbtest.New(t, "productdb_range_plans")
	dbtest.Grow(t, db.DB, 5000, grown)
	quantity := 4 // quantity is i % 500: 1% of the rows
	cost, err := money.FromCents(1_000)
	if err != nil {
		t.Fatal(err)
	}
	filters := map[string]productbus.QueryFilter{
		"quantityMax (1%)": {QuantityMax: &quantity},
		"costMax (1%)":     {CostMax: &cost},
	}
	first, err := page.Parse("1", "10")
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range filters {
		list := selectProducts(f, productbus.DefaultOrderBy)
		// The row 90% of the way through the matches, by key.
		w := FilterWhere(f)
		bound, args, err := sqlx.Named("SELECT CAST(product_id AS text) FROM products"+w.Clause()+
			" ORDER BY product_id OFFSET (SELECT count(*) * 9 / 10 FROM products"+w.Clause()+") LIMIT 1", w.Data())
		if err != nil {
			t.Fatal(err)
		}
		var deep string
		if err := db.DB.Get(&deep, db.DB.Rebind(bound), args...); err != nil {
			t.Fatalf("%s: the row 90%% deep: %v", name, err)
		}
		for pname, pg := range map[string]page.Page{"page 1": first, "cursor 90% deep": first.After(page.Cursor{Key: deep, ID: deep})} {
			q, data, err := list.Statement(pg)
			if err != nil {
				t.Fatal(err)
			}
			plan := dbtest.Plan(t, db.DB, q, data)
			if strings.Contains(plan, "Filter: ((quantity") || strings.Contains(plan, "Filter: ((cost") ||
				strings.Contains(plan, "Filter: (quantity") || strings.Contains(plan, "Filter: (cost") {
				t.Errorf("%s, %s: the range is tested on rows read from the table, want it in an index condition:\n%s", name, pname, plan)
			}
		}
	}
}
