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

// Store reads the view_products view, on the db each method is given.
type Store struct{}

// Query implements vproductbus.Storer.
func (s Store) Query(ctx context.Context, db sqlx.ExtContext, filter vproductbus.QueryFilter, orderBy order.By, pg page.Page) ([]vproductbus.Product, *page.Cursor, error) {
	var rows []product
	next, err := sqldb.QueryPage(ctx, db, sqldb.Select{
		Columns: columns, From: "view_products", Where: toWhere(filter),
		Order: orderBy, OrderColumns: orderByColumns, Tiebreak: "product_id",
	}, pg, &rows)
	if err != nil {
		return nil, nil, err
	}
	prds, err := sqldb.Load(rows, toBusProduct)
	return prds, next, err
}

// Count implements vproductbus.Storer.
func (s Store) Count(ctx context.Context, db sqlx.ExtContext, filter vproductbus.QueryFilter) (int, error) {
	return sqldb.Count(ctx, db, "view_products", toWhere(filter))
}
