// Package vproductbus is the admin's read model of products: each product
// with its owner's name, read from one view instead of a query per row.
package vproductbus

import (
	"context"
	"fmt"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/foundation/otel"
	"github.com/jmoiron/sqlx"
)

// Storer is what the business needs of storage.
type Storer interface {
	Query(ctx context.Context, db sqlx.ExtContext, filter QueryFilter, orderBy order.By, pg page.Page) (page.Of[Product], error)
}

// Config holds the dependencies of a Business.
type Config struct {
	DB     *sqlx.DB
	Storer Storer
}

// Business reads products with their owners' names.
type Business struct {
	db     *sqlx.DB
	storer Storer
}

// NewBusiness returns a Business.
func NewBusiness(cfg Config) *Business {
	return &Business{db: cfg.DB, storer: cfg.Storer}
}

// Query returns a page of the products matching filter, with their count and
// the cursor after it.
func (b *Business) Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) (page.Of[Product], error) {
	ctx, span := otel.AddSpan(ctx, "vproductbus.Query")
	defer span.End()

	found, err := b.storer.Query(ctx, b.db, filter, orderBy, pg)
	if err != nil {
		return page.Of[Product]{}, fmt.Errorf("query vproducts: %w", err)
	}
	return found, nil
}
