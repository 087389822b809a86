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
	"github.com/garagesale/service/business/sdk/usecase"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
)

// Errors of the product domain.
var (
	ErrNotFound     = errors.New("product not found")
	ErrUserDisabled = errors.New("product owner is disabled or no longer exists")
	ErrHasSales     = errors.New("product has sales")
	// ErrReferenced is a product that records of another domain than
	// sales still refer to.
	ErrReferenced = errors.New("product is referred to by other records")
	// ErrInsufficientStock is a sale of more than is in stock.
	ErrInsufficientStock = errors.New("not enough stock")
	// ErrStockLimit is stock that would rise above quantity.Max.
	ErrStockLimit = errors.New("stock would exceed its limit")
)

// Domain is the name audit records use for products.
const Domain = "product"

// Storer is what the business needs of storage. Its statements run in the
// transaction their context carries.
type Storer interface {
	// Create returns ErrUserDisabled when the owner does not exist.
	Create(ctx context.Context, prd Product) error
	// Update returns ErrNotFound.
	Update(ctx context.Context, prd Product) error
	// Delete returns ErrNotFound, ErrHasSales when sales refer to the
	// product, or ErrReferenced when other records do.
	Delete(ctx context.Context, id uuid.UUID) error
	Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) ([]Product, *page.Cursor, error)
	Count(ctx context.Context, filter QueryFilter) (int, error)
	// QueryByID returns ErrNotFound.
	QueryByID(ctx context.Context, id uuid.UUID) (Product, error)
	// QueryByIDForUpdate locks the row until the transaction ends; it
	// returns ErrNotFound.
	QueryByIDForUpdate(ctx context.Context, id uuid.UUID) (Product, error)
	// QueryByIDsForSale returns those of the products that exist, the
	// rows of owner's locked (in product ID order) until the transaction
	// ends, the others read without a lock.
	QueryByIDsForSale(ctx context.Context, owner uuid.UUID, ids []uuid.UUID) ([]Product, error)
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
	Tx      usecase.Transactor
	Now     func() time.Time
	Storer  Storer
	Audit   *auditbus.Business
	UserBus *userbus.Business
}

// Business manages products. Every change is written with its audit record
// in one transaction.
type Business struct {
	usecase.List[Product, QueryFilter]
	usecase.Get[Product]
	core    usecase.Core
	storer  Storer
	audit   *auditbus.Business
	userBus *userbus.Business
}

// NewBusiness returns a Business.
func NewBusiness(cfg Config) *Business {
	core := usecase.New("productbus", cfg.Tx, cfg.Now)
	return &Business{
		List:    usecase.NewList(core, "products", cfg.Storer),
		Get:     usecase.NewGet(core, "product", cfg.Storer),
		core:    core,
		storer:  cfg.Storer,
		audit:   cfg.Audit,
		userBus: cfg.UserBus,
	}
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

// Create adds a product owned by np.UserID on behalf of actorID. It returns
// ErrUserDisabled when the owner is disabled or does not exist.
func (b *Business) Create(ctx context.Context, actorID uuid.UUID, np NewProduct) (Product, error) {
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

	now := b.core.Now()
	prd := Product{
		ID:          uuid.New(),
		UserID:      np.UserID,
		Name:        np.Name,
		Cost:        np.Cost,
		Quantity:    np.Quantity,
		DateCreated: now,
		DateUpdated: now,
	}

	err = b.core.Write(ctx, "Create", func(ctx context.Context) error {
		if err := b.storer.Create(ctx, prd); err != nil {
			return err
		}
		_, err := b.audit.Create(ctx, newAudit(actorID, prd, auditbus.ActionCreated))
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
	var prd Product
	err := b.core.Write(ctx, "Update", func(ctx context.Context) error {
		var err error
		prd, err = b.storer.QueryByIDForUpdate(ctx, id)
		if err != nil {
			return err
		}

		up.apply(&prd)
		prd.DateUpdated = b.core.Now()

		if err := b.storer.Update(ctx, prd); err != nil {
			return err
		}
		_, err = b.audit.Create(ctx, newAudit(actorID, prd, auditbus.ActionUpdated))
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
	err := b.core.Write(ctx, "Delete", func(ctx context.Context) error {
		prd, err := b.storer.QueryByIDForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if err := b.storer.Delete(ctx, id); err != nil {
			return err
		}
		_, err = b.audit.Create(ctx, newAudit(actorID, prd, auditbus.ActionDeleted))
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
// once, first, and held to the end of the caller's transaction. Call it
// inside the caller's Write, so the change commits or rolls back with the
// sale.
//
// It returns the product after the change, ErrNotFound, or
// ErrInsufficientStock together with the product as it is, so a caller can
// tell why.
func (b *Business) TakeStock(ctx context.Context, actorID uuid.UUID, id uuid.UUID, n quantity.Quantity) (Product, error) {
	prd, err := b.moveStock(ctx, "TakeStock", actorID, b.storer.TakeStock, id, n)
	if err != nil {
		return prd, fmt.Errorf("take %d of product %s: %w", n.Value(), id, err)
	}
	return prd, nil
}

// LockForSale locks owner's products among ids for a batch of their
// sales, in the caller's transaction, and returns every one of ids that
// exists, by ID. Only owner's rows are locked (another's product is refused
// by the batch, and must not stall its owner's sales), in product ID
// order, so two batches over the same products queue instead of
// deadlocking; TakeStock on them then cannot wait.
func (b *Business) LockForSale(ctx context.Context, owner uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]Product, error) {
	found := make(map[uuid.UUID]Product, len(ids))
	err := b.core.Join(ctx, "LockForSale", func(ctx context.Context) error {
		prds, err := b.storer.QueryByIDsForSale(ctx, owner, ids)
		for _, p := range prds {
			found[p.ID] = p
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("lock %d products: %w", len(ids), err)
	}
	return found, nil
}

// ReturnStock puts n of the product with id back in stock when a sale is
// undone, as TakeStock takes it. It returns the product after the change,
// ErrNotFound, or ErrStockLimit when the stock would pass quantity.Max.
func (b *Business) ReturnStock(ctx context.Context, actorID uuid.UUID, id uuid.UUID, n quantity.Quantity) (Product, error) {
	prd, err := b.moveStock(ctx, "ReturnStock", actorID, b.storer.ReturnStock, id, n)
	if err != nil {
		return prd, fmt.Errorf("return %d to product %s: %w", n.Value(), id, err)
	}
	return prd, nil
}

// moveStock runs one of the store's guarded stock statements and audits
// the change it made, in the caller's transaction.
func (b *Business) moveStock(ctx context.Context, method string, actorID uuid.UUID, move func(context.Context, uuid.UUID, quantity.Quantity, time.Time) (Product, error), id uuid.UUID, n quantity.Quantity) (Product, error) {
	var prd Product
	err := b.core.Join(ctx, method, func(ctx context.Context) error {
		var err error
		prd, err = move(ctx, id, n, b.core.Now())
		if err != nil {
			return err
		}
		_, err = b.audit.Create(ctx, newAudit(actorID, prd, auditbus.ActionUpdated))
		return err
	})
	return prd, err
}
