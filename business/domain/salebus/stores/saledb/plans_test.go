package saledb

import (
	"testing"

	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
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
