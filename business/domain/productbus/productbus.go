// Package productbus is the core business logic of products: the items a
// user puts up for sale, their price and their stock.
package productbus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/garagesale/service/foundation/otel"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// Errors of the product domain.
var (
	ErrNotFound     = errors.New("product not found")
	ErrUserDisabled = errors.New("product owner is disabled or no longer exists")
	ErrHasSales     = errors.New("product has sales")
	// ErrReferenced is a product that records other than sales refer to.
	ErrReferenced        = errors.New("product is referred to by other records")
	ErrInsufficientStock = errors.New("not enough stock")
	ErrStockLimit        = errors.New("stock would exceed its limit") // quantity.Max
)

// Domain is the name audit records use for products.
const Domain = "product"

// Storer is what the business needs of storage, on the db each method is
// given: the pool, or a transaction.
type Storer interface {
	// Create returns ErrUserDisabled when the owner does not exist.
	Create(ctx context.Context, db sqlx.ExtContext, prd Product) error
	// Update returns ErrNotFound.
	Update(ctx context.Context, db sqlx.ExtContext, prd Product) error
	// Delete returns ErrNotFound, ErrHasSales or ErrReferenced.
	Delete(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) error
	Query(ctx context.Context, db sqlx.ExtContext, filter QueryFilter, orderBy order.By, pg page.Page) (page.Of[Product], error)
	// QueryByID returns ErrNotFound.
	QueryByID(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) (Product, error)
	// QueryByIDForUpdate locks the row; it returns ErrNotFound.
	QueryByIDForUpdate(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) (Product, error)
	// QueryByIDsForSale returns those of the products that exist, owner's
	// rows locked in product ID order, the others read without a lock.
	QueryByIDsForSale(ctx context.Context, db sqlx.ExtContext, owner uuid.UUID, ids []uuid.UUID) ([]Product, error)
	// TakeStock lowers the stock by n in one guarded statement; it returns
	// ErrNotFound, or ErrInsufficientStock with the product as it is.
	TakeStock(ctx context.Context, db sqlx.ExtContext, id uuid.UUID, n quantity.Quantity, now time.Time) (Product, error)
	// ReturnStock raises it likewise, or returns ErrStockLimit.
	ReturnStock(ctx context.Context, db sqlx.ExtContext, id uuid.UUID, n quantity.Quantity, now time.Time) (Product, error)
}

// Owners is what a product needs of the user domain: its owner as the
// user cache knows them. *userbus.Business is one.
type Owners interface {
	Authenticated(ctx context.Context, id uuid.UUID) (userbus.User, error)
}

// Config holds the dependencies of a Business. Now may be nil.
type Config struct {
	DB     *sqlx.DB
	Now    func() time.Time
	Storer Storer
	Audit  *auditbus.Business
	Owners Owners
}

// Business manages products; every change is audited in its transaction.
type Business struct {
	db     *sqlx.DB
	now    func() time.Time
	storer Storer
	audit  *auditbus.Business
	owners Owners
}

// NewBusiness returns a Business.
func NewBusiness(cfg Config) *Business {
	return &Business{
		db:     cfg.DB,
		now:    sqldb.Clock(cfg.Now),
		storer: cfg.Storer,
		audit:  cfg.Audit,
		owners: cfg.Owners,
	}
}

// Audit is the audit record of action on prd by actorID; its cost is the
// decimal text the API shows ("12.5"), and so is its sale price, null
// when it has none.
func Audit(actorID uuid.UUID, prd Product, action string) auditbus.NewAudit {
	var minPrice any
	if prd.MinPrice != nil {
		minPrice = prd.MinPrice.Decimal()
	}
	return auditbus.NewAudit{
		ObjID:     prd.ID,
		ObjDomain: Domain,
		ObjName:   prd.Name.String(),
		ActorID:   actorID,
		Action:    action,
		Data: map[string]any{
			"userID":   prd.UserID.String(),
			"name":     prd.Name.String(),
			"cost":     prd.Cost.Decimal(),
			"minPrice": minPrice,
			"quantity": prd.Quantity.Value(),
		},
		Message: action + " product",
	}
}

// Create adds a product owned by np.UserID on behalf of actorID, with its
// audit record, in the caller's tx. It returns ErrUserDisabled when the
// owner is disabled or does not exist.
func (b *Business) Create(ctx context.Context, tx *sqlx.Tx, actorID uuid.UUID, np NewProduct) (Product, error) {
	ctx, span := otel.AddSpan(ctx, "productbus.Create")
	defer span.End()

	// The owner from the user cache, which a change to the user empties on
	// every replica before it answers: as sure as a read of the row.
	owner, err := b.owners.Authenticated(ctx, np.UserID)
	switch {
	case errors.Is(err, userbus.ErrNotFound) || (err == nil && !owner.Enabled):
		return Product{}, fmt.Errorf("create product: owner %s: %w", np.UserID, ErrUserDisabled)
	case err != nil:
		return Product{}, fmt.Errorf("create product: %w", err)
	}

	prd := np.product(uuid.New(), b.now())
	if err := b.storer.Create(ctx, tx, prd); err != nil {
		return Product{}, fmt.Errorf("create product: %w", err)
	}
	if err := b.audit.Create(ctx, tx, Audit(actorID, prd, auditbus.ActionCreated)); err != nil {
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
	err := sqldb.Transact(ctx, b.db, func(tx *sqlx.Tx) error {
		var err error
		prd, err = b.storer.QueryByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}

		up.apply(&prd)
		prd.DateUpdated = b.now()

		if err := b.storer.Update(ctx, tx, prd); err != nil {
			return err
		}
		return b.audit.Create(ctx, tx, Audit(actorID, prd, auditbus.ActionUpdated))
	})
	if err != nil {
		return Product{}, fmt.Errorf("update product %s: %w", id, err)
	}
	return prd, nil
}

// Delete removes the product with id on behalf of actorID. It returns
// ErrNotFound, or ErrHasSales: a sale's record must keep its product.
func (b *Business) Delete(ctx context.Context, actorID uuid.UUID, id uuid.UUID) error {
	ctx, span := otel.AddSpan(ctx, "productbus.Delete")
	defer span.End()

	err := sqldb.Transact(ctx, b.db, func(tx *sqlx.Tx) error {
		prd, err := b.storer.QueryByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := b.storer.Delete(ctx, tx, id); err != nil {
			return err
		}
		return b.audit.Create(ctx, tx, Audit(actorID, prd, auditbus.ActionDeleted))
	})
	if err != nil {
		return fmt.Errorf("delete product %s: %w", id, err)
	}
	return nil
}

// TakeStock takes n of the product with id out of stock for a sale made
// by actorID, in the sale's tx: one guarded statement, so the row lock is
// taken once and held to the end of the sale; the sale does all it can
// before calling it, since every buyer of the product queues on that lock. It returns the
// product after and the change's audit record, for the caller to write with
// its own; or ErrNotFound, or ErrInsufficientStock with the product as is.
func (b *Business) TakeStock(ctx context.Context, tx *sqlx.Tx, actorID uuid.UUID, id uuid.UUID, n quantity.Quantity) (Product, auditbus.NewAudit, error) {
	ctx, span := otel.AddSpan(ctx, "productbus.TakeStock")
	defer span.End()

	prd, err := b.storer.TakeStock(ctx, tx, id, n, b.now())
	if err != nil {
		return prd, auditbus.NewAudit{}, fmt.Errorf("take %d of product %s: %w", n.Value(), id, err)
	}
	return prd, Audit(actorID, prd, auditbus.ActionUpdated), nil
}

// ReturnStock puts n of the product with id back in stock when a sale is
// undone, as TakeStock takes it. It returns ErrNotFound, or ErrStockLimit
// when the stock would pass quantity.Max.
func (b *Business) ReturnStock(ctx context.Context, tx *sqlx.Tx, actorID uuid.UUID, id uuid.UUID, n quantity.Quantity) (Product, auditbus.NewAudit, error) {
	ctx, span := otel.AddSpan(ctx, "productbus.ReturnStock")
	defer span.End()

	prd, err := b.storer.ReturnStock(ctx, tx, id, n, b.now())
	if err != nil {
		return prd, auditbus.NewAudit{}, fmt.Errorf("return %d to product %s: %w", n.Value(), id, err)
	}
	return prd, Audit(actorID, prd, auditbus.ActionUpdated), nil
}

// LockForSale locks owner's products among ids for a batch of their sales,
// in tx, and returns every one of ids that exists, by ID. Only owner's rows
// are locked (another's must not stall its owner's sales), in product ID
// order, so two batches queue instead of deadlocking.
func (b *Business) LockForSale(ctx context.Context, tx *sqlx.Tx, owner uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]Product, error) {
	ctx, span := otel.AddSpan(ctx, "productbus.LockForSale")
	defer span.End()

	prds, err := b.storer.QueryByIDsForSale(ctx, tx, owner, ids)
	if err != nil {
		return nil, fmt.Errorf("lock %d products: %w", len(ids), err)
	}
	found := make(map[uuid.UUID]Product, len(prds))
	for _, p := range prds {
		found[p.ID] = p
	}
	return found, nil
}

// Query returns a page of the products matching filter, with their count and
// the cursor after it.
func (b *Business) Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) (page.Of[Product], error) {
	ctx, span := otel.AddSpan(ctx, "productbus.Query")
	defer span.End()

	found, err := b.storer.Query(ctx, b.db, filter, orderBy, pg)
	if err != nil {
		return page.Of[Product]{}, fmt.Errorf("query products: %w", err)
	}
	return found, nil
}

// QueryByID returns the product with id, or ErrNotFound.
func (b *Business) QueryByID(ctx context.Context, id uuid.UUID) (Product, error) {
	ctx, span := otel.AddSpan(ctx, "productbus.QueryByID")
	defer span.End()

	prd, err := b.storer.QueryByID(ctx, b.db, id)
	if err != nil {
		return Product{}, fmt.Errorf("query product %s: %w", id, err)
	}
	return prd, nil
}
