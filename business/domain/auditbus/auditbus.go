// Package auditbus records who changed what. Each domain writes its audit
// rows through a Business bound to its own transaction, so a change and
// its record commit or vanish together.
package auditbus

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/garagesale/service/foundation/otel"
	"time"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/uuid"
)

// Storer is what the business needs of storage.
type Storer interface {
	NewWithTx(tx sqldb.CommitRollbacker) (Storer, error)
	Create(ctx context.Context, a Audit) error
	Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) ([]Audit, *page.Cursor, error)
	Count(ctx context.Context, filter QueryFilter) (int, error)
}

// Business manages audit records.
type Business struct {
	storer Storer
	now    func() time.Time
}

// NewBusiness returns a Business. now may be nil.
func NewBusiness(storer Storer, now func() time.Time) *Business {
	if now == nil {
		now = time.Now
	}
	return &Business{storer: storer, now: now}
}

// NewWithTx returns a Business whose records are written in tx.
func (b *Business) NewWithTx(tx sqldb.CommitRollbacker) (*Business, error) {
	s, err := b.storer.NewWithTx(tx)
	if err != nil {
		return nil, err
	}
	return &Business{storer: s, now: b.now}, nil
}

// Create records na.
func (b *Business) Create(ctx context.Context, na NewAudit) (Audit, error) {
	ctx, span := otel.AddSpan(ctx, "auditbus.Create")
	defer span.End()

	var data json.RawMessage
	if na.Data != nil {
		d, err := json.Marshal(na.Data)
		if err != nil {
			return Audit{}, fmt.Errorf("audit data: %w", err)
		}
		data = d
	}

	a := Audit{
		ID:        uuid.New(),
		ObjID:     na.ObjID,
		ObjDomain: na.ObjDomain,
		ObjName:   na.ObjName,
		ActorID:   na.ActorID,
		Action:    na.Action,
		Data:      data,
		Message:   na.Message,
		Timestamp: b.now().UTC().Truncate(time.Microsecond),
	}
	if err := b.storer.Create(ctx, a); err != nil {
		return Audit{}, fmt.Errorf("create audit: %w", err)
	}
	return a, nil
}

// Query returns one page of the audits that match filter, and the cursor of
// the page after it when there may be one.
func (b *Business) Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) ([]Audit, *page.Cursor, error) {
	ctx, span := otel.AddSpan(ctx, "auditbus.Query")
	defer span.End()

	as, next, err := b.storer.Query(ctx, filter, orderBy, pg)
	if err != nil {
		return nil, nil, fmt.Errorf("query audits: %w", err)
	}
	return as, next, nil
}

// Count returns how many audits match filter.
func (b *Business) Count(ctx context.Context, filter QueryFilter) (int, error) {
	ctx, span := otel.AddSpan(ctx, "auditbus.Count")
	defer span.End()

	n, err := b.storer.Count(ctx, filter)
	if err != nil {
		return 0, fmt.Errorf("count audits: %w", err)
	}
	return n, nil
}
