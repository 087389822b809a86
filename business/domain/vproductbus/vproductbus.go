// Package vproductbus is the admin's read model of products: each product
// with its owner's name, read from one view instead of a query per row.
package vproductbus

import (
	"context"
	"fmt"
	"github.com/garagesale/service/foundation/otel"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
)

// Storer is what the business needs of storage.
type Storer interface {
	Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) ([]Product, *page.Cursor, error)
	Count(ctx context.Context, filter QueryFilter) (int, error)
}

// Business reads products with their owners' names.
type Business struct {
	storer Storer
}

// NewBusiness returns a Business.
func NewBusiness(storer Storer) *Business {
	return &Business{storer: storer}
}

// Query returns one page of the products that match filter, and the cursor of
// the page after it when there may be one.
func (b *Business) Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) ([]Product, *page.Cursor, error) {
	ctx, span := otel.AddSpan(ctx, "vproductbus.Query")
	defer span.End()

	prds, next, err := b.storer.Query(ctx, filter, orderBy, pg)
	if err != nil {
		return nil, nil, fmt.Errorf("query vproducts: %w", err)
	}
	return prds, next, nil
}

// Count returns how many products match filter.
func (b *Business) Count(ctx context.Context, filter QueryFilter) (int, error) {
	ctx, span := otel.AddSpan(ctx, "vproductbus.Count")
	defer span.End()

	n, err := b.storer.Count(ctx, filter)
	if err != nil {
		return 0, fmt.Errorf("count vproducts: %w", err)
	}
	return n, nil
}
