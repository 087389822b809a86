package auditdb

import (
	"testing"

	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestOrdersReadAnIndex checks that each ordering the list offers is read
// from an index in order, on page 1 and deep by cursor, at a size where the
// planner would rather sort than read a useless index.
func TestOrdersReadAnIndex(t *testing.T) {
	db := dbtest.New(t, "auditdb_plans")
	dbtest.Grow(t, db.DB, 5000, map[string]map[string]string{
		"audits": {"audit_id": "gen_random_uuid()", "obj_id": "gen_random_uuid()", "obj_name": "r.obj_name || ' ' || i", "timestamp": "r.timestamp - i * interval '1 minute'"},
	})
	dbtest.CheckOrderPlans(t, db.DB, "audits", orderByColumns, func(by order.By, pg page.Page) (string, map[string]any, error) {
		return selectAudits(auditbus.QueryFilter{}, by).Statement(pg)
	})
}
