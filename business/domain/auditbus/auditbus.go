// Package auditbus records who changed what. Each domain writes the audit
// records of a change in the change's own transaction, so a change and its
// record commit or vanish together.
package auditbus

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/otel"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// Storer is what the business needs of storage, on the db each method is
// given: the pool, or a transaction.
type Storer interface {
	// Create writes the audits in one statement.
	Create(ctx context.Context, db sqlx.ExtContext, as []Audit) error
	Query(ctx context.Context, db sqlx.ExtContext, filter QueryFilter, orderBy order.By, pg page.Page) (page.Of[Audit], error)
}

// Config holds the dependencies of a Business. Now may be nil.
type Config struct {
	DB     *sqlx.DB
	Now    func() time.Time
	Storer Storer
}

// Business manages audit records.
type Business struct {
	db     *sqlx.DB
	now    func() time.Time
	storer Storer
}

// NewBusiness returns a Business.
func NewBusiness(cfg Config) *Business {
	return &Business{db: cfg.DB, now: sqldb.Clock(cfg.Now), storer: cfg.Storer}
}

// Create records nas in one statement in tx, the transaction of the change
// they record, so a record that fails fails the change.
func (b *Business) Create(ctx context.Context, tx sqlx.ExtContext, nas ...NewAudit) error {
	ctx, span := otel.AddSpan(ctx, "auditbus.Create")
	defer span.End()

	now := b.now()
	as := make([]Audit, len(nas))
	for i, na := range nas {
		var data json.RawMessage
		if na.Data != nil {
			d, err := json.Marshal(na.Data)
			if err != nil {
				return fmt.Errorf("audit data: %w", err)
			}
			data = d
		}
		as[i] = Audit{
			ID: uuid.New(), ObjID: na.ObjID, ObjDomain: na.ObjDomain, ObjName: na.ObjName, ActorID: na.ActorID,
			Action: na.Action, Data: data, Message: na.Message, Timestamp: now,
		}
	}
	if err := b.storer.Create(ctx, tx, as); err != nil {
		return fmt.Errorf("create %d audits: %w", len(as), err)
	}
	return nil
}

// Query returns a page of the audits matching filter, with their count and
// the cursor after it.
func (b *Business) Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) (page.Of[Audit], error) {
	ctx, span := otel.AddSpan(ctx, "auditbus.Query")
	defer span.End()

	found, err := b.storer.Query(ctx, b.db, filter, orderBy, pg)
	if err != nil {
		return page.Of[Audit]{}, fmt.Errorf("query audits: %w", err)
	}
	return found, nil
}
