// Package auditdb stores audit records in Postgres.
package auditdb

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// Store manages the audits table.
type Store struct {
	db sqlx.ExtContext
}

// NewStore returns a Store over db.
func NewStore(db sqlx.ExtContext) *Store {
	return &Store{db: db}
}

// NewWithTx implements auditbus.Storer.
func (s *Store) NewWithTx(tx sqldb.CommitRollbacker) (auditbus.Storer, error) {
	ec, err := sqldb.ExtContext(tx)
	if err != nil {
		return nil, err
	}
	return &Store{db: ec}, nil
}

type audit struct {
	ID        uuid.UUID `db:"audit_id"`
	ObjID     uuid.UUID `db:"obj_id"`
	ObjDomain string    `db:"obj_domain"`
	ObjName   string    `db:"obj_name"`
	ActorID   uuid.UUID `db:"actor_id"`
	Action    string    `db:"action"`
	Data      []byte    `db:"data"`
	Message   string    `db:"message"`
	Timestamp time.Time `db:"timestamp"`
}

// Create implements auditbus.Storer.
func (s *Store) Create(ctx context.Context, a auditbus.Audit) error {
	const q = `
	INSERT INTO audits
		(audit_id, obj_id, obj_domain, obj_name, actor_id, action, data, message, timestamp)
	VALUES
		(:audit_id, :obj_id, :obj_domain, :obj_name, :actor_id, :action, :data, :message, :timestamp)`

	// data is bound as text (or NULL) so that Postgres parses it into the
	// jsonb column rather than refusing bytes.
	var jsonData any
	if a.Data != nil {
		jsonData = string(a.Data)
	}
	return sqldb.NamedExec(ctx, s.db, q, map[string]any{
		"audit_id":   a.ID,
		"obj_id":     a.ObjID,
		"obj_domain": a.ObjDomain,
		"obj_name":   a.ObjName,
		"actor_id":   a.ActorID,
		"action":     a.Action,
		"data":       jsonData,
		"message":    a.Message,
		"timestamp":  a.Timestamp.UTC(),
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
func (s *Store) Query(ctx context.Context, filter auditbus.QueryFilter, orderBy order.By, pg page.Page) ([]auditbus.Audit, error) {
	data := map[string]any{
		"offset":        pg.Offset(),
		"rows_per_page": pg.RowsPerPage(),
	}

	var buf strings.Builder
	buf.WriteString(`SELECT audit_id, obj_id, obj_domain, obj_name, actor_id, action, data, message, timestamp FROM audits`)
	applyFilter(filter, data, &buf)

	clause, err := order.Clause(orderBy, orderByColumns, "audit_id")
	if err != nil {
		return nil, err
	}
	buf.WriteString(clause)
	buf.WriteString(" OFFSET :offset ROWS FETCH NEXT :rows_per_page ROWS ONLY")

	var rows []audit
	if err := sqldb.NamedQuerySlice(ctx, s.db, buf.String(), data, &rows); err != nil {
		return nil, err
	}

	out := make([]auditbus.Audit, len(rows))
	for i, r := range rows {
		out[i] = auditbus.Audit{
			ID: r.ID, ObjID: r.ObjID, ObjDomain: r.ObjDomain, ObjName: r.ObjName, ActorID: r.ActorID,
			Action: r.Action, Data: json.RawMessage(r.Data), Message: r.Message, Timestamp: r.Timestamp.UTC(),
		}
	}
	return out, nil
}

// Count implements auditbus.Storer.
func (s *Store) Count(ctx context.Context, filter auditbus.QueryFilter) (int, error) {
	data := map[string]any{}

	var buf strings.Builder
	buf.WriteString(`SELECT count(1) AS count FROM audits`)
	applyFilter(filter, data, &buf)

	var count struct {
		Count int `db:"count"`
	}
	if err := sqldb.NamedQueryStruct(ctx, s.db, buf.String(), data, &count); err != nil {
		return 0, err
	}
	return count.Count, nil
}

func applyFilter(filter auditbus.QueryFilter, data map[string]any, buf *strings.Builder) {
	var wc []string

	if filter.ObjID != nil {
		data["obj_id"] = *filter.ObjID
		wc = append(wc, "obj_id = :obj_id")
	}
	if filter.ObjDomain != nil {
		data["obj_domain"] = *filter.ObjDomain
		wc = append(wc, "obj_domain = :obj_domain")
	}
	if filter.ObjName != nil {
		data["obj_name"] = "%" + sqldb.EscapeLike(*filter.ObjName) + "%"
		wc = append(wc, "obj_name ILIKE :obj_name")
	}
	if filter.ActorID != nil {
		data["actor_id"] = *filter.ActorID
		wc = append(wc, "actor_id = :actor_id")
	}
	if filter.Action != nil {
		data["action"] = *filter.Action
		wc = append(wc, "action = :action")
	}
	if filter.Since != nil {
		data["since"] = filter.Since.UTC()
		wc = append(wc, "timestamp >= :since")
	}
	if filter.Until != nil {
		data["until"] = filter.Until.UTC()
		wc = append(wc, "timestamp < :until")
	}

	if len(wc) > 0 {
		buf.WriteString(" WHERE ")
		buf.WriteString(strings.Join(wc, " AND "))
	}
}
