// Package auditbus records who changed what. Each domain writes its audit
// rows with the context of its own Write, so they join its transaction and
// a change and its record commit or vanish together.
package auditbus

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/usecase"
	"github.com/google/uuid"
)

// Storer is what the business needs of storage. Its statements run in the
// transaction their context carries.
type Storer interface {
	// Create writes the audits in one statement.
	Create(ctx context.Context, as []Audit) error
	Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) ([]Audit, *page.Cursor, error)
	Count(ctx context.Context, filter QueryFilter) (int, error)
}

// Config holds the dependencies of a Business. Now may be nil.
type Config struct {
	Tx     usecase.Transactor
	Now    func() time.Time
	Storer Storer
}

// Business manages audit records.
type Business struct {
	usecase.List[Audit, QueryFilter]
	core   usecase.Core
	storer Storer
}

// NewBusiness returns a Business.
func NewBusiness(cfg Config) *Business {
	core := usecase.New("auditbus", cfg.Tx, cfg.Now)
	return &Business{
		List:   usecase.NewList(core, "audits", cfg.Storer),
		core:   core,
		storer: cfg.Storer,
	}
}

// Create records na. Called with the context of another domain's Write,
// it writes in that transaction, with no savepoint: a record that fails
// fails the change it records. Called alone, it writes in a transaction of
// its own.
func (b *Business) Create(ctx context.Context, na NewAudit) (Audit, error) {
	as, err := b.create(ctx, "Create", []NewAudit{na})
	if err != nil {
		return Audit{}, err
	}
	return as[0], nil
}

// CreateMany records every one of nas in one statement, as Create records
// one: a batch of changes (sales uploaded together) has its records
// written at once rather than a round trip each.
func (b *Business) CreateMany(ctx context.Context, nas []NewAudit) ([]Audit, error) {
	if len(nas) == 0 {
		return nil, nil
	}
	return b.create(ctx, "CreateMany", nas)
}

func (b *Business) create(ctx context.Context, method string, nas []NewAudit) ([]Audit, error) {
	now := b.core.Now()
	as := make([]Audit, len(nas))
	for i, na := range nas {
		var data json.RawMessage
		if na.Data != nil {
			d, err := json.Marshal(na.Data)
			if err != nil {
				return nil, fmt.Errorf("audit data: %w", err)
			}
			data = d
		}
		as[i] = Audit{
			ID:        uuid.New(),
			ObjID:     na.ObjID,
			ObjDomain: na.ObjDomain,
			ObjName:   na.ObjName,
			ActorID:   na.ActorID,
			Action:    na.Action,
			Data:      data,
			Message:   na.Message,
			Timestamp: now,
		}
	}
	err := b.core.Join(ctx, method, func(ctx context.Context) error {
		return b.storer.Create(ctx, as)
	})
	if err != nil {
		return nil, fmt.Errorf("create %d audits: %w", len(as), err)
	}
	return as, nil
}
