// Package auditdb stores audit records in Postgres.
package auditdb

import (
	"context"
	"encoding/json"
	"time"

	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// Store manages the audits table.
type Store struct{}

const columns = `audit_id, obj_id, obj_domain, obj_name, actor_id, action, data, message, timestamp`

type audit struct {
	sqldb.PageKey
	ID        uuid.UUID `db:"audit_id"`
	ObjID     uuid.UUID `db:"obj_id"`
	ObjDomain string    `db:"obj_domain"`
	ObjName   string    `db:"obj_name"`
	ActorID   uuid.UUID `db:"actor_id"`
	Action    string    `db:"action"`
	Data      *string   `db:"data"` // text or NULL: Postgres refuses bytes for jsonb
	Message   string    `db:"message"`
	Timestamp time.Time `db:"timestamp"`
}

// Create implements auditbus.Storer: one INSERT of a column array each,
// the same statement (and plan) for one row or a batch of an upload.
func (Store) Create(ctx context.Context, db sqlx.ExtContext, as []auditbus.Audit) error {
	const q = `
	INSERT INTO audits
		(audit_id, obj_id, obj_domain, obj_name, actor_id, action, data, message, timestamp)
	SELECT * FROM unnest(
		CAST(:audit_ids AS uuid[]), CAST(:obj_ids AS uuid[]), CAST(:obj_domains AS text[]),
		CAST(:obj_names AS text[]), CAST(:actor_ids AS uuid[]), CAST(:actions AS text[]),
		CAST(:datas AS jsonb[]), CAST(:messages AS text[]), CAST(:timestamps AS timestamptz[]))`

	n := len(as)
	ids, objIDs, actors := make([]uuid.UUID, n), make([]uuid.UUID, n), make([]uuid.UUID, n)
	domains, names, actions, messages := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	datas := make([]*string, n) // text or NULL: Postgres refuses bytes for jsonb
	stamps := make([]time.Time, n)
	for i, a := range as {
		ids[i], objIDs[i], actors[i] = a.ID, a.ObjID, a.ActorID
		domains[i], names[i], actions[i], messages[i] = a.ObjDomain, a.ObjName, a.Action, a.Message
		if a.Data != nil {
			datas[i] = new(string(a.Data))
		}
		stamps[i] = a.Timestamp.UTC()
	}
	return sqldb.NamedExec(ctx, db, q, map[string]any{
		"audit_ids": ids, "obj_ids": objIDs, "obj_domains": domains, "obj_names": names, "actor_ids": actors,
		"actions": actions, "datas": datas, "messages": messages, "timestamps": stamps,
	})
}

var orderByColumns = map[string]string{
	auditbus.OrderByObjID:     "obj_id",
	auditbus.OrderByObjDomain: "obj_domain",
	auditbus.OrderByObjName:   "obj_name",
	auditbus.OrderByActorID:   "actor_id",
	auditbus.OrderByAction:    "action",
	auditbus.OrderByTimestamp: "timestamp",
}

// Query implements auditbus.Storer.
func (Store) Query(ctx context.Context, db sqlx.ExtContext, filter auditbus.QueryFilter, orderBy order.By, pg page.Page) (page.Of[auditbus.Audit], error) {
	rows, err := sqldb.QueryPage[audit](ctx, db, selectAudits(filter, orderBy), pg)
	if err != nil {
		return page.Of[auditbus.Audit]{}, err
	}
	return sqldb.LoadPage(rows, toBusAudit)
}

// toBusAudit loads a row.
func toBusAudit(r audit) (auditbus.Audit, error) {
	a := auditbus.Audit{
		ID: r.ID, ObjID: r.ObjID, ObjDomain: r.ObjDomain, ObjName: r.ObjName, ActorID: r.ActorID,
		Action: r.Action, Message: r.Message, Timestamp: r.Timestamp.UTC(),
	}
	if r.Data != nil {
		a.Data = json.RawMessage(*r.Data)
	}
	return a, nil
}

// toWhere returns the conditions of filter on the audits table.
func toWhere(filter auditbus.QueryFilter) *sqldb.Where {
	w := sqldb.NewWhere()
	if filter.ObjID != nil {
		w.Add("obj_id = :obj_id", "obj_id", *filter.ObjID)
	}
	if filter.ObjDomain != nil {
		w.Add("obj_domain = :obj_domain", "obj_domain", *filter.ObjDomain)
	}
	if filter.ObjName != nil {
		w.Search("obj_name", "obj_name", *filter.ObjName)
	}
	if filter.ActorID != nil {
		w.Add("actor_id = :actor_id", "actor_id", *filter.ActorID)
	}
	if filter.Action != nil {
		w.Add("action = :action", "action", *filter.Action)
	}
	if filter.Since != nil {
		w.Add("timestamp >= :since", "since", filter.Since.UTC())
	}
	if filter.Until != nil {
		w.Add("timestamp < :until", "until", filter.Until.UTC())
	}
	return w
}

// selectAudits is the list query for filter and orderBy.
func selectAudits(filter auditbus.QueryFilter, orderBy order.By) sqldb.Select {
	return sqldb.Select{
		Columns: columns, From: "audits", Where: toWhere(filter),
		Order: orderBy, OrderColumns: orderByColumns, Tiebreak: "audit_id",
	}
}
