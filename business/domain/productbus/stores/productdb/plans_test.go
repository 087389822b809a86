package productdb

import (
	"testing"

	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/types/money"
	"github.com/google/uuid"
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
