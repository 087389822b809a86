// Package salebus is the core business logic of sales: buying stock of a
// product, and undoing a sale, each in one transaction with the stock.
package salebus

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/garagesale/service/foundation/otel"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// Errors of the sale domain.
var (
	ErrNotFound          = errors.New("sale not found")
	ErrProductNotFound   = errors.New("product not found")
	ErrInsufficientStock = errors.New("not enough stock")
	ErrOwnProduct        = errors.New("a user cannot buy their own product")
	ErrZeroQuantity      = errors.New("quantity must be at least 1")
	ErrStockLimit        = errors.New("the product's stock cannot take the sale's quantity back")
	ErrUnderpaid         = errors.New("paid is less than the product's price times the quantity")
	ErrPurchaseLimit     = errors.New("too many purchases in the last hour")
	ErrNotSeller         = errors.New("only the seller of the product or an ADMIN may cancel a sale")
)

// UnderpaidError is a purchase that pays less than Quantity times Unit,
// the product's price or the seller's floor under it.
type UnderpaidError struct {
	Unit     money.Money
	Quantity int
}

func (e *UnderpaidError) Error() string {
	return fmt.Sprintf("must be at least %d × %s, the product's price", e.Quantity, e.Unit.Decimal())
}

// Unwrap makes it ErrUnderpaid.
func (e *UnderpaidError) Unwrap() error { return ErrUnderpaid }

// TooDearError is a purchase whose total at the product's price would
// pass the largest amount a sale records, which no payment can meet: at
// most Most can be bought at once.
type TooDearError struct {
	Unit money.Money
	Most int
}

func (e *TooDearError) Error() string {
	return fmt.Sprintf("must be at most %d at %s each: a sale's total is at most %s", e.Most, e.Unit.Decimal(), money.Max().Decimal())
}

// Domain is the name audit records use for sales.
const Domain = "sale"

// Storer is what the business needs of storage, on the db each method is
// given: the pool, or a transaction.
type Storer interface {
	// Create writes the sale. When count is set it also counts the sale as
	// a purchase of its buyer and returns how many the buyer made before it
	// in the window that began after since (a buyer's concurrent purchases
	// take turns).
	Create(ctx context.Context, db sqlx.ExtContext, sale Sale, since time.Time, count bool) (int, error)
	// CreateMany writes the sales in one statement, or ErrClientIDTaken.
	CreateMany(ctx context.Context, db sqlx.ExtContext, sales []Sale) error
	// QueryByClientIDs returns recordedBy's sales among clientIDs by ID.
	QueryByClientIDs(ctx context.Context, db sqlx.ExtContext, recordedBy uuid.UUID, clientIDs []string) (map[string]Sale, error)
	// Delete returns ErrNotFound.
	Delete(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) error
	// RecordCancellation keeps the device's id of an uploaded sale
	// cancelled at at, so that it is not uploaded again.
	RecordCancellation(ctx context.Context, db sqlx.ExtContext, sale Sale, at time.Time) error
	// QueryCancelled returns the sales of recordedBy among clientIDs that
	// were cancelled, by client ID.
	QueryCancelled(ctx context.Context, db sqlx.ExtContext, recordedBy uuid.UUID, clientIDs []string) (map[string]uuid.UUID, error)
	Query(ctx context.Context, db sqlx.ExtContext, filter QueryFilter, orderBy order.By, pg page.Page) (page.Of[Sale], error)
	Count(ctx context.Context, db sqlx.ExtContext, filter QueryFilter) (int, error)
	// QueryByID returns ErrNotFound.
	QueryByID(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) (Sale, error)
}

// Stock is what a sale needs of the product domain: the narrow methods
// that take part in the sale's own transaction, and nothing of a
// product's whole use case (which would begin a transaction of its own,
// on a second connection). *productbus.Business is one.
type Stock interface {
	// TakeStock and ReturnStock lock the product's row in tx and return
	// it as changed, with the change's audit record for the caller to
	// write.
	TakeStock(ctx context.Context, tx *sqlx.Tx, actorID uuid.UUID, id uuid.UUID, n quantity.Quantity) (productbus.Product, auditbus.NewAudit, error)
	ReturnStock(ctx context.Context, tx *sqlx.Tx, actorID uuid.UUID, id uuid.UUID, n quantity.Quantity) (productbus.Product, auditbus.NewAudit, error)
	// LockForSale locks owner's products among ids in tx, for a batch of
	// uploaded sales.
	LockForSale(ctx context.Context, tx *sqlx.Tx, owner uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]productbus.Product, error)
}

// Buyers is what a sale needs of the user domain: whether the buyers
// uploaded sales name exist. *userbus.Business is one.
type Buyers interface {
	Exist(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]bool, error)
}

// Config holds the dependencies of a Business. Now may be nil.
type Config struct {
	DB     *sqlx.DB
	Now    func() time.Time
	Storer Storer
	Audit  *auditbus.Business
	Stock  Stock
	Buyers Buyers
	Limits Limits
}

// Limits bound what buyers and uploads may do; zero fields take the
// defaults.
type Limits struct {
	// IngestWindow is how far back an uploaded sale may have been taken.
	IngestWindow time.Duration
	// PurchasesPerHour is how many online purchases a buyer may make in
	// an hour: no one empties every seller's stock in a burst. Negative
	// is no limit (a load test's).
	PurchasesPerHour int
}

// DefaultLimits are the defaults of Limits.
var DefaultLimits = Limits{IngestWindow: 30 * 24 * time.Hour, PurchasesPerHour: 60}

// Business manages sales. A sale, the stock change it causes and the audit
// records of both are written in one transaction.
type Business struct {
	db     *sqlx.DB
	now    func() time.Time
	storer Storer
	audit  *auditbus.Business
	stock  Stock
	buyers Buyers
	limits Limits
}

// NewBusiness returns a Business.
func NewBusiness(cfg Config) *Business {
	return &Business{
		db:     cfg.DB,
		now:    sqldb.Clock(cfg.Now),
		storer: cfg.Storer,
		audit:  cfg.Audit,
		stock:  cfg.Stock,
		buyers: cfg.Buyers,
		limits: Limits{
			IngestWindow:     cmp.Or(cfg.Limits.IngestWindow, DefaultLimits.IngestWindow),
			PurchasesPerHour: cmp.Or(cfg.Limits.PurchasesPerHour, DefaultLimits.PurchasesPerHour),
		},
	}
}

func newAudit(actorID uuid.UUID, sale Sale, p productbus.Product, action string) auditbus.NewAudit {
	data := map[string]any{
		"productID": sale.ProductID.String(),
		"buyerID":   sale.BuyerID.String(),
		"quantity":  sale.Quantity.Value(),
		"paid":      sale.Paid.Decimal(),
	}
	if sale.WalkIn() {
		data["buyerID"] = nil
	}
	if sale.ClientID != "" {
		data["clientID"] = sale.ClientID
		data["takenAt"] = sale.TakenAt.Format(time.RFC3339Nano)
	}
	return auditbus.NewAudit{
		ObjID:     sale.ID,
		ObjDomain: Domain,
		ObjName:   p.Name.String(),
		ActorID:   actorID,
		Action:    action,
		Data:      data,
		Message:   action + " sale",
	}
}

// Prepare returns the sale ns would record, with its ID and time: a caller
// may answer with it before the sale is written (an idempotency record
// written first, outside the product's lock). It returns ErrZeroQuantity.
func (b *Business) Prepare(ns NewSale) (Sale, error) {
	if ns.Quantity.Value() < 1 {
		return Sale{}, ErrZeroQuantity
	}
	sale := Sale{
		ID:          uuid.New(),
		ProductID:   ns.ProductID,
		BuyerID:     ns.BuyerID,
		Quantity:    ns.Quantity,
		Paid:        ns.Paid,
		DateCreated: b.now(),
	}
	sale.TakenAt = sale.DateCreated
	return sale, nil
}

// Create records sale, from Prepare, on behalf of actorID in the caller's
// tx: its buyer bought its quantity of its product. The sale is written
// first, then the stock is taken by one guarded statement that locks the
// product's row, so concurrent buyers queue and stock never oversells.
// It returns ErrProductNotFound, ErrOwnProduct, ErrInsufficientStock,
// ErrZeroQuantity, ErrPurchaseLimit, an *UnderpaidError or a
// *TooDearError; the caller rolls tx back on any error.
func (b *Business) Create(ctx context.Context, tx *sqlx.Tx, actorID uuid.UUID, sale Sale) error {
	ctx, span := otel.AddSpan(ctx, "salebus.Create")
	defer span.End()

	if sale.Quantity.Value() < 1 {
		return ErrZeroQuantity
	}
	if err := b.create(ctx, tx, actorID, sale); err != nil {
		return fmt.Errorf("create sale of product %s: %w", sale.ProductID, err)
	}
	return nil
}

func (b *Business) create(ctx context.Context, tx *sqlx.Tx, actorID uuid.UUID, sale Sale) error {
	// The sale is written before the stock is taken, so the product's row
	// lock, which every buyer of the product queues on, is held over the
	// audit rows and the commit alone. Its reference to the product is
	// checked at commit (migration 00014), under that lock; the rollback
	// takes it back on any refusal below.
	limit := max(b.limits.PurchasesPerHour, 0)
	recent, err := b.storer.Create(ctx, tx, sale, sale.DateCreated.Add(-time.Hour), limit > 0)
	if err != nil {
		return err
	}
	p, stockAudit, err := b.stock.TakeStock(ctx, tx, actorID, sale.ProductID, sale.Quantity)
	switch {
	case errors.Is(err, productbus.ErrNotFound):
		return ErrProductNotFound
	case p.UserID == sale.BuyerID && (err == nil || errors.Is(err, productbus.ErrInsufficientStock)):
		// Checked on the row returned: an own product is refused whatever
		// its stock, and the rollback puts the stock back.
		return ErrOwnProduct
	case errors.Is(err, productbus.ErrInsufficientStock):
		return fmt.Errorf("%w: only %d left", ErrInsufficientStock, p.Quantity.Value())
	case err != nil:
		return err
	}
	// Checked on the product as locked: the price the buyer saw may have
	// changed, and the rollback puts the stock back.
	owed, err := p.Floor().Mul(sale.Quantity.Value())
	if err != nil {
		return &TooDearError{Unit: p.Floor(), Most: int(money.MaxCents / max(p.Floor().Cents(), 1))}
	}
	if sale.Paid.Cents() < owed.Cents() {
		return &UnderpaidError{Unit: p.Floor(), Quantity: sale.Quantity.Value()}
	}
	if limit > 0 && recent >= limit {
		return fmt.Errorf("%w: at most %d an hour", ErrPurchaseLimit, b.limits.PurchasesPerHour)
	}
	return b.audit.Create(ctx, tx, stockAudit, newAudit(actorID, sale, p, auditbus.ActionCreated))
}

// Delete removes the sale with id on behalf of actorID and puts its
// quantity back in stock, in one transaction. Like a sale, it locks the
// product first and the sale second, so it cannot deadlock with a sale or
// a product delete. Unless anySale (an ADMIN's), only the seller of the
// product may cancel it. It returns ErrNotFound, ErrNotSeller or
// ErrStockLimit.
func (b *Business) Delete(ctx context.Context, actorID uuid.UUID, anySale bool, id uuid.UUID) error {
	ctx, span := otel.AddSpan(ctx, "salebus.Delete")
	defer span.End()

	err := sqldb.Transact(ctx, b.db, func(tx *sqlx.Tx) error {
		sale, err := b.storer.QueryByID(ctx, tx, id)
		if err != nil {
			return err
		}
		p, stockAudit, err := b.stock.ReturnStock(ctx, tx, actorID, sale.ProductID, sale.Quantity)
		switch {
		case errors.Is(err, productbus.ErrStockLimit):
			return fmt.Errorf("%w: product %s holds %d", ErrStockLimit, p.ID, p.Quantity.Value())
		case err != nil:
			return fmt.Errorf("product %s of the sale: %w", sale.ProductID, err)
		}
		// Checked on the locked product; the rollback undoes the stock.
		if !anySale && p.UserID != actorID {
			return ErrNotSeller
		}
		// A concurrent delete of the same sale waited on the product's
		// lock; the second finds no sale here and rolls its stock back.
		if err := b.storer.Delete(ctx, tx, id); err != nil {
			return err
		}
		// An uploaded sale keeps its id: the file uploaded again must not
		// sell it again.
		if sale.ClientID != "" {
			if err := b.storer.RecordCancellation(ctx, tx, sale, b.now()); err != nil {
				return err
			}
		}
		return b.audit.Create(ctx, tx, stockAudit, newAudit(actorID, sale, p, auditbus.ActionDeleted))
	})
	if err != nil {
		return fmt.Errorf("delete sale %s: %w", id, err)
	}
	return nil
}

// IsVisibleTo reports whether userID took part in sale, as its buyer or as
// the owner of the product sold: the same rule as QueryFilter.VisibleTo.
func (b *Business) IsVisibleTo(ctx context.Context, sale Sale, userID uuid.UUID) (bool, error) {
	if sale.BuyerID == userID {
		return true, nil
	}
	ctx, span := otel.AddSpan(ctx, "salebus.IsVisibleTo")
	defer span.End()

	n, err := b.storer.Count(ctx, b.db, QueryFilter{ID: &sale.ID, VisibleTo: &userID})
	if err != nil {
		return false, fmt.Errorf("check sale %s visibility: %w", sale.ID, err)
	}
	return n > 0, nil
}

// Query returns a page of the sales matching filter, with their count and
// the cursor after it.
func (b *Business) Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) (page.Of[Sale], error) {
	ctx, span := otel.AddSpan(ctx, "salebus.Query")
	defer span.End()

	found, err := b.storer.Query(ctx, b.db, filter, orderBy, pg)
	if err != nil {
		return page.Of[Sale]{}, fmt.Errorf("query sales: %w", err)
	}
	return found, nil
}

// QueryByID returns the sale with id, or ErrNotFound.
func (b *Business) QueryByID(ctx context.Context, id uuid.UUID) (Sale, error) {
	ctx, span := otel.AddSpan(ctx, "salebus.QueryByID")
	defer span.End()

	sale, err := b.storer.QueryByID(ctx, b.db, id)
	if err != nil {
		return Sale{}, fmt.Errorf("query sale %s: %w", id, err)
	}
	return sale, nil
}
