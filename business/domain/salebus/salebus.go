// Package salebus is the core business logic of sales: buying stock of a
// product, and undoing a sale, each in one transaction with the stock.
package salebus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/usecase"
	"github.com/google/uuid"
)

// Errors of the sale domain.
var (
	ErrNotFound          = errors.New("sale not found")
	ErrProductNotFound   = errors.New("product not found")
	ErrInsufficientStock = errors.New("not enough stock")
	ErrOwnProduct        = errors.New("a user cannot buy their own product")
	ErrZeroQuantity      = errors.New("quantity must be at least 1")
	// ErrStockLimit is a deleted sale whose quantity the product's stock
	// cannot take back without passing its limit.
	ErrStockLimit = errors.New("the product's stock cannot take the sale's quantity back")
)

// Domain is the name audit records use for sales.
const Domain = "sale"

// Storer is what the business needs of storage. Its statements run in the
// transaction their context carries.
type Storer interface {
	Create(ctx context.Context, sale Sale) error
	// CreateMany writes the sales in one statement; it returns
	// ErrClientIDTaken when an uploaded sale's ClientID is.
	CreateMany(ctx context.Context, sales []Sale) error
	// QueryByClientIDs returns the sales recordedBy uploaded with those
	// of clientIDs that it has, by client ID.
	QueryByClientIDs(ctx context.Context, recordedBy uuid.UUID, clientIDs []string) (map[string]Sale, error)
	// Delete returns ErrNotFound.
	Delete(ctx context.Context, id uuid.UUID) error
	Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) ([]Sale, *page.Cursor, error)
	Count(ctx context.Context, filter QueryFilter) (int, error)
	// QueryByID returns ErrNotFound.
	QueryByID(ctx context.Context, id uuid.UUID) (Sale, error)
}

// Users is what the sale domain needs of the user domain: whether the
// buyers an uploaded sale names exist.
type Users interface {
	Exist(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]bool, error)
}

// Config holds the dependencies of a Business. Now may be nil.
type Config struct {
	Tx         usecase.Transactor
	Now        func() time.Time
	Storer     Storer
	Audit      *auditbus.Business
	ProductBus *productbus.Business
	Users      Users
}

// Business manages sales. A sale, the stock change it causes and the audit
// records of both are written in one transaction.
type Business struct {
	usecase.List[Sale, QueryFilter]
	usecase.Get[Sale]
	core       usecase.Core
	storer     Storer
	audit      *auditbus.Business
	productBus *productbus.Business
	users      Users
}

// NewBusiness returns a Business.
func NewBusiness(cfg Config) *Business {
	core := usecase.New("salebus", cfg.Tx, cfg.Now)
	return &Business{
		List:       usecase.NewList(core, "sales", cfg.Storer),
		Get:        usecase.NewGet(core, "sale", cfg.Storer),
		core:       core,
		storer:     cfg.Storer,
		audit:      cfg.Audit,
		productBus: cfg.ProductBus,
		users:      cfg.Users,
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
		data["takenAt"] = sale.TakenAt.Format(time.RFC3339)
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

// Create records that ns.BuyerID bought ns.Quantity of ns.ProductID, on
// behalf of actorID, in one transaction: the stock is taken by one guarded
// statement on the product (which locks its row, so concurrent buyers
// queue and stock never oversells), then the sale and its audit row are
// written. It returns ErrProductNotFound, ErrOwnProduct,
// ErrInsufficientStock or ErrZeroQuantity; on any error nothing changes.
func (b *Business) Create(ctx context.Context, actorID uuid.UUID, ns NewSale) (Sale, error) {
	if ns.Quantity.Value() < 1 {
		return Sale{}, ErrZeroQuantity
	}

	sale := Sale{
		ID:          uuid.New(),
		ProductID:   ns.ProductID,
		BuyerID:     ns.BuyerID,
		Quantity:    ns.Quantity,
		Paid:        ns.Paid,
		DateCreated: b.core.Now(),
	}
	sale.TakenAt = sale.DateCreated

	err := b.core.Write(ctx, "Create", func(ctx context.Context) error {
		p, err := b.productBus.TakeStock(ctx, actorID, ns.ProductID, ns.Quantity)
		switch {
		case errors.Is(err, productbus.ErrNotFound):
			return ErrProductNotFound
		case p.UserID == ns.BuyerID && (err == nil || errors.Is(err, productbus.ErrInsufficientStock)):
			// Checked on the row the statement returned: an own product
			// is refused whatever its stock, and the rollback puts the
			// stock back.
			return ErrOwnProduct
		case errors.Is(err, productbus.ErrInsufficientStock):
			return fmt.Errorf("%w: only %d left", ErrInsufficientStock, p.Quantity.Value())
		case err != nil:
			return err
		}

		if err := b.storer.Create(ctx, sale); err != nil {
			return err
		}
		_, err = b.audit.Create(ctx, newAudit(actorID, sale, p, auditbus.ActionCreated))
		return err
	})
	if err != nil {
		return Sale{}, fmt.Errorf("create sale of product %s: %w", ns.ProductID, err)
	}
	return sale, nil
}

// Delete removes the sale with id on behalf of actorID and puts its
// quantity back in stock, in one transaction. Like a sale, it locks the
// product first (returning the stock) and the sale second (deleting it),
// the order every transaction here takes rows in, so it cannot deadlock
// with a sale or a product delete. It returns ErrNotFound, or
// ErrStockLimit when the product's stock cannot take the quantity back.
func (b *Business) Delete(ctx context.Context, actorID uuid.UUID, id uuid.UUID) error {
	err := b.core.Write(ctx, "Delete", func(ctx context.Context) error {
		sale, err := b.storer.QueryByID(ctx, id)
		if err != nil {
			return err
		}
		p, err := b.productBus.ReturnStock(ctx, actorID, sale.ProductID, sale.Quantity)
		switch {
		case errors.Is(err, productbus.ErrStockLimit):
			return fmt.Errorf("%w: product %s holds %d", ErrStockLimit, p.ID, p.Quantity.Value())
		case err != nil:
			return fmt.Errorf("product %s of the sale: %w", sale.ProductID, err)
		}
		// A concurrent delete of the same sale waited on the product's
		// lock above; whichever comes second finds no sale here and rolls
		// back its stock change.
		if err := b.storer.Delete(ctx, id); err != nil {
			return err
		}
		_, err = b.audit.Create(ctx, newAudit(actorID, sale, p, auditbus.ActionDeleted))
		return err
	})
	if err != nil {
		return fmt.Errorf("delete sale %s: %w", id, err)
	}
	return nil
}

// IsVisibleTo reports whether userID took part in sale, as its buyer or as
// the owner of the product sold: the same rule as QueryFilter.VisibleTo.
func (b *Business) IsVisibleTo(ctx context.Context, sale Sale, userID uuid.UUID) (bool, error) {
	return usecase.Read(ctx, b.core, "IsVisibleTo", func(ctx context.Context) (bool, error) {
		if sale.BuyerID == userID {
			return true, nil
		}
		n, err := b.storer.Count(ctx, QueryFilter{ID: &sale.ID, VisibleTo: &userID})
		if err != nil {
			return false, fmt.Errorf("check sale %s visibility: %w", sale.ID, err)
		}
		return n > 0, nil
	})
}
