// Package productbus is the core business logic of products: the items a
// user puts up for sale, their price and their stock.
package productbus

import (
	"context"
	"errors"
	"fmt"
	"github.com/garagesale/service/foundation/otel"
	"time"

	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/garagesale/service/foundation/logger"
	"github.com/google/uuid"
)

// Errors of the product domain.
var (
	ErrNotFound     = errors.New("product not found")
	ErrUserDisabled = errors.New("product owner is disabled or no longer exists")
	ErrHasSales     = errors.New("product has sales")
	// ErrInsufficientStock is a sale of more than is in stock.
	ErrInsufficientStock = errors.New("not enough stock")
	// ErrStockLimit is stock that would rise above quantity.Max.
	ErrStockLimit = errors.New("stock would exceed its limit")
)

// Domain is the name audit records use for products.
const Domain = "product"

// Storer is what the business needs of storage.
type Storer interface {
	// NewWithTx returns a Storer whose statements run in tx.
	NewWithTx(tx sqldb.CommitRollbacker) (Storer, error)
	// Create returns ErrUserDisabled when the owner does not exist.
	Create(ctx context.Context, prd Product) error
	// Update returns ErrNotFound.
	Update(ctx context.Context, prd Product) error
	// Delete returns ErrNotFound, or ErrHasSales when sales refer to the
	// product.
	Delete(ctx context.Context, id uuid.UUID) error
	Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) ([]Product, *page.Cursor, error)
	Count(ctx context.Context, filter QueryFilter) (int, error)
	// QueryByID returns ErrNotFound.
	QueryByID(ctx context.Context, id uuid.UUID) (Product, error)
	// QueryByIDForUpdate locks the row until the transaction ends; it
	// returns ErrNotFound.
	QueryByIDForUpdate(ctx context.Context, id uuid.UUID) (Product, error)
	// TakeStock lowers the stock by n in one statement that locks the row
	// and checks that n are there, and returns the product after. It
	// returns ErrNotFound, or ErrInsufficientStock with the product as it
	// is.
	TakeStock(ctx context.Context, id uuid.UUID, n quantity.Quantity, now time.Time) (Product, error)
	// ReturnStock raises the stock by n likewise. It returns ErrNotFound,
	// or ErrStockLimit with the product as it is.
	ReturnStock(ctx context.Context, id uuid.UUID, n quantity.Quantity, now time.Time) (Product, error)
}

// Config holds the dependencies of a Business. Now may be nil.
type Config struct {
	Log      *logger.Logger
	Beginner sqldb.Beginner
	Storer   Storer
	Audit    *auditbus.Business
	UserBus  *userbus.Business
	Now      func() time.Time
}

// Business manages products. Every change is written with its audit record
// in one transaction.
type Business struct {
	log      *logger.Logger
	beginner sqldb.Beginner
	storer   Storer
	audit    *auditbus.Business
	userBus  *userbus.Business
	now      func() time.Time
}

// NewBusiness returns a Business.
func NewBusiness(cfg Config) *Business {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Business{
		log:      cfg.Log,
		beginner: cfg.Beginner,
		storer:   cfg.Storer,
		audit:    cfg.Audit,
		userBus:  cfg.UserBus,
		now:      now,
	}
}

// NewWithTx returns a Business whose reads and writes, audit records
// included, run in tx: another domain (a sale) uses it to change stock in
// its own transaction. The caller commits or rolls back; this Business's
// own transactions become part of tx. Owner checks read users through the
// pool: outside tx, unless the request runs in one (sqldb.Transact).
func (b *Business) NewWithTx(tx sqldb.CommitRollbacker) (*Business, error) {
	store, err := b.storer.NewWithTx(tx)
	if err != nil {
		return nil, err
	}
	audit, err := b.audit.NewWithTx(tx)
	if err != nil {
		return nil, err
	}
	return &Business{
		log:      b.log,
		beginner: sqldb.InTx(tx),
		storer:   store,
		audit:    audit,
		userBus:  b.userBus,
		now:      b.now,
	}, nil
}

// inTx runs fn with the store and the audit log bound to one transaction.
func (b *Business) inTx(ctx context.Context, fn func(store Storer, audit *auditbus.Business) error) error {
	return sqldb.WithinTran(ctx, b.beginner, func(tx sqldb.CommitRollbacker) error {
		store, err := b.storer.NewWithTx(tx)
		if err != nil {
			return err
		}
		audit, err := b.audit.NewWithTx(tx)
		if err != nil {
			return err
		}
		return fn(store, audit)
	})
}

// auditData is what an audit record keeps of a product. The cost is the
// same decimal text the API shows ("12.5"), so the record reads like the
// product did.
func auditData(prd Product) map[string]any {
	return map[string]any{
		"userID":   prd.UserID.String(),
		"name":     prd.Name.String(),
		"cost":     prd.Cost.Decimal(),
		"quantity": prd.Quantity.Value(),
	}
}

func newAudit(actorID uuid.UUID, prd Product, action string) auditbus.NewAudit {
	return auditbus.NewAudit{
		ObjID:     prd.ID,
		ObjDomain: Domain,
		ObjName:   prd.Name.String(),
		ActorID:   actorID,
		Action:    action,
		Data:      auditData(prd),
		Message:   action + " product",
	}
}

// clock returns the time once per operation, in UTC at the database's
// microsecond precision so that what is returned equals what is stored.
func (b *Business) clock() time.Time {
	return b.now().UTC().Truncate(time.Microsecond)
}

// Create adds a product owned by np.UserID on behalf of actorID. It returns
// ErrUserDisabled when the owner is disabled or does not exist.
func (b *Business) Create(ctx context.Context, actorID uuid.UUID, np NewProduct) (Product, error) {
	ctx, span := otel.AddSpan(ctx, "productbus.Create")
	defer span.End()

	// The owner as authentication sees it: from the user cache, which a
	// change to the user empties on every replica before it answers, so a
	// disabled owner is refused as surely as by a read of the row.
	owner, err := b.userBus.Authenticated(ctx, np.UserID)
	if err != nil {
		if errors.Is(err, userbus.ErrNotFound) {
			return Product{}, fmt.Errorf("create product: owner %s: %w", np.UserID, ErrUserDisabled)
		}
		return Product{}, fmt.Errorf("create product: %w", err)
	}
	if !owner.Enabled {
		return Product{}, fmt.Errorf("create product: owner %s: %w", np.UserID, ErrUserDisabled)
	}

	now := b.clock()
	prd := Product{
		ID:          uuid.New(),
		UserID:      np.UserID,
		Name:        np.Name,
		Cost:        np.Cost,
		Quantity:    np.Quantity,
		DateCreated: now,
		DateUpdated: now,
	}

	err = b.inTx(ctx, func(store Storer, audit *auditbus.Business) error {
		if err := store.Create(ctx, prd); err != nil {
			return err
		}
		_, err := audit.Create(ctx, newAudit(actorID, prd, auditbus.ActionCreated))
		return err
	})
	if err != nil {
		return Product{}, fmt.Errorf("create product: %w", err)
	}
	return prd, nil
}

// Update applies up to the product with id on behalf of actorID, under a
// row lock so that concurrent partial updates and sales do not undo each
// other. It returns ErrNotFound.
func (b *Business) Update(ctx context.Context, actorID uuid.UUID, id uuid.UUID, up UpdateProduct) (Product, error) {
	ctx, span := otel.AddSpan(ctx, "productbus.Update")
	defer span.End()

	var prd Product
	err := b.inTx(ctx, func(store Storer, audit *auditbus.Business) error {
		var err error
		prd, err = store.QueryByIDForUpdate(ctx, id)
		if err != nil {
			return err
		}

		up.apply(&prd)
		prd.DateUpdated = b.clock()

		if err := store.Update(ctx, prd); err != nil {
			return err
		}
		_, err = audit.Create(ctx, newAudit(actorID, prd, auditbus.ActionUpdated))
		return err
	})
	if err != nil {
		return Product{}, fmt.Errorf("update product %s: %w", id, err)
	}
	return prd, nil
}

// apply copies every field that is set; each field stands alone, so a
// quantity-only update changes the quantity.
func (up UpdateProduct) apply(prd *Product) {
	if up.Name != nil {
		prd.Name = *up.Name
	}
	if up.Cost != nil {
		prd.Cost = *up.Cost
	}
	if up.Quantity != nil {
		prd.Quantity = *up.Quantity
	}
}

// Delete removes the product with id on behalf of actorID. It returns
// ErrNotFound, or ErrHasSales while sales refer to it: a sale's record
// must keep its product.
func (b *Business) Delete(ctx context.Context, actorID uuid.UUID, id uuid.UUID) error {
	ctx, span := otel.AddSpan(ctx, "productbus.Delete")
	defer span.End()

	err := b.inTx(ctx, func(store Storer, audit *auditbus.Business) error {
		prd, err := store.QueryByIDForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if err := store.Delete(ctx, id); err != nil {
			return err
		}
		_, err = audit.Create(ctx, newAudit(actorID, prd, auditbus.ActionDeleted))
		return err
	})
	if err != nil {
		return fmt.Errorf("delete product %s: %w", id, err)
	}
	return nil
}

// TakeStock takes n of the product with id out of stock for a sale made
// by actorID, and audits the change. It is the one way a sale changes
// stock: a single guarded statement, so the product's row lock is taken
// once, first, and held to the end of the caller's transaction. Call it on
// a Business bound to that transaction (NewWithTx), so the change commits
// or rolls back with the sale.
//
// It returns the product after the change, ErrNotFound, or
// ErrInsufficientStock together with the product as it is, so a caller can
// tell why.
func (b *Business) TakeStock(ctx context.Context, actorID uuid.UUID, id uuid.UUID, n quantity.Quantity) (Product, error) {
	ctx, span := otel.AddSpan(ctx, "productbus.TakeStock")
	defer span.End()

	prd, err := b.moveStock(ctx, actorID, b.storer.TakeStock, id, n)
	if err != nil {
		return prd, fmt.Errorf("take %d of product %s: %w", n.Value(), id, err)
	}
	return prd, nil
}

// ReturnStock puts n of the product with id back in stock when a sale is
// undone, as TakeStock takes it. It returns the product after the change,
// ErrNotFound, or ErrStockLimit when the stock would pass quantity.Max.
func (b *Business) ReturnStock(ctx context.Context, actorID uuid.UUID, id uuid.UUID, n quantity.Quantity) (Product, error) {
	ctx, span := otel.AddSpan(ctx, "productbus.ReturnStock")
	defer span.End()

	prd, err := b.moveStock(ctx, actorID, b.storer.ReturnStock, id, n)
	if err != nil {
		return prd, fmt.Errorf("return %d to product %s: %w", n.Value(), id, err)
	}
	return prd, nil
}

// moveStock runs one of the store's guarded stock statements and audits
// the change it made.
func (b *Business) moveStock(ctx context.Context, actorID uuid.UUID, move func(context.Context, uuid.UUID, quantity.Quantity, time.Time) (Product, error), id uuid.UUID, n quantity.Quantity) (Product, error) {
	prd, err := move(ctx, id, n, b.clock())
	if err != nil {
		return prd, err
	}
	if _, err := b.audit.Create(ctx, newAudit(actorID, prd, auditbus.ActionUpdated)); err != nil {
		return Product{}, err
	}
	return prd, nil
}

// Query returns one page of the products that match filter, and the cursor of
// the page after it when there may be one.
func (b *Business) Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) ([]Product, *page.Cursor, error) {
	ctx, span := otel.AddSpan(ctx, "productbus.Query")
	defer span.End()

	prds, next, err := b.storer.Query(ctx, filter, orderBy, pg)
	if err != nil {
		return nil, nil, fmt.Errorf("query products: %w", err)
	}
	return prds, next, nil
}

// Count returns how many products match filter.
func (b *Business) Count(ctx context.Context, filter QueryFilter) (int, error) {
	ctx, span := otel.AddSpan(ctx, "productbus.Count")
	defer span.End()

	n, err := b.storer.Count(ctx, filter)
	if err != nil {
		return 0, fmt.Errorf("count products: %w", err)
	}
	return n, nil
}

// QueryByID returns the product with id, or ErrNotFound.
func (b *Business) QueryByID(ctx context.Context, id uuid.UUID) (Product, error) {
	ctx, span := otel.AddSpan(ctx, "productbus.QueryByID")
	defer span.End()

	prd, err := b.storer.QueryByID(ctx, id)
	if err != nil {
		return Product{}, fmt.Errorf("query product %s: %w", id, err)
	}
	return prd, nil
}
