// Package vproductbus is the admin's read model of products: each product
// with its owner's name, read from one view instead of a query per row.
package vproductbus

import (
	"context"
	"time"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/usecase"
)

// Storer is what the business needs of storage.
type Storer interface {
	Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) ([]Product, *page.Cursor, error)
	Count(ctx context.Context, filter QueryFilter) (int, error)
}

// Config holds the dependencies of a Business. Tx and Now may be nil: the
// business only reads.
type Config struct {
	Tx     usecase.Transactor
	Now    func() time.Time
	Storer Storer
}

// Business reads products with their owners' names. Its Query and Count
// return one page of the products that match a filter and how many match.
type Business struct {
	usecase.List[Product, QueryFilter]
}

// NewBusiness returns a Business.
func NewBusiness(cfg Config) *Business {
	core := usecase.New("vproductbus", cfg.Tx, cfg.Now)
	return &Business{
		List: usecase.NewList(core, "vproducts", cfg.Storer),
	}
}
