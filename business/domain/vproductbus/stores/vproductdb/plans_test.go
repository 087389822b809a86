package vproductdb

import (
	"testing"

	"github.com/garagesale/service/business/domain/vproductbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestOrdersReadAnIndex checks that each ordering the list offers, the
// owner's name too, is read from an index in order, on page 1 and deep by
// cursor, at a size where the planner would rather sort than read a
// useless index.
func TestOrdersReadAnIndex(t *testing.T) {
	db := dbtest.New(t, "vproductdb_plans")
	dbtest.Grow(t, db.DB, 5000, map[string]map[string]string{
		"products": {"product_id": "gen_random_uuid()", "name": "r.name || ' ' || i", "cost": "(i * 7919) % 100000", "quantity": "i % 500", "stock_added": "i % 500", "date_created": "r.date_created - i * interval '1 minute'"},
	})
	dbtest.CheckOrderPlans(t, db.DB, "products", orderByColumns, func(by order.By, pg page.Page) (string, map[string]any, error) {
		return selectProducts(vproductbus.QueryFilter{}, by).Statement(pg)
	})
}
