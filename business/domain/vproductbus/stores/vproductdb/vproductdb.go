// Package vproductdb reads products with their owners' names from the
// view_products view in Postgres.
package vproductdb

import (
	"context"

	"github.com/garagesale/service/business/domain/vproductbus"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/jmoiron/sqlx"
)

const columns = `product_id, user_id, name, cost, quantity, date_created, date_updated, user_name`

// Store reads the view_products view.
type Store struct {
	db sqlx.ExtContext
}

// NewStore returns a Store over db.
func NewStore(db sqlx.ExtContext) *Store {
	return &Store{db: db}
}

// Query implements vproductbus.Storer.
func (s *Store) Query(ctx context.Context, filter vproductbus.QueryFilter, orderBy order.By, pg page.Page) ([]vproductbus.Product, *page.Cursor, error) {
	var rows []product
	next, err := sqldb.QueryPage(ctx, s.db, sqldb.List{
		Select: columns, From: "view_products", Where: toWhere(filter),
		Order: orderBy, Columns: orderByColumns, Tiebreak: "product_id",
	}, pg, &rows)
	if err != nil {
		return nil, nil, err
	}
	items, err := toBusProducts(rows)
	if err != nil {
		return nil, nil, err
	}
	return items, next, nil
}

// Count implements vproductbus.Storer.
func (s *Store) Count(ctx context.Context, filter vproductbus.QueryFilter) (int, error) {
	return sqldb.Count(ctx, s.db, "view_products", toWhere(filter))
}
