// Package vproductdb reads products with their owners' names from the
// view_products view in Postgres.
package vproductdb

import (
	"context"
	"strings"

	"github.com/garagesale/service/business/domain/vproductbus"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/jmoiron/sqlx"
)

// Store reads the view_products view.
type Store struct {
	db sqlx.ExtContext
}

// NewStore returns a Store over db.
func NewStore(db sqlx.ExtContext) *Store {
	return &Store{db: db}
}

// Query implements vproductbus.Storer.
func (s *Store) Query(ctx context.Context, filter vproductbus.QueryFilter, orderBy order.By, pg page.Page) ([]vproductbus.Product, error) {
	data := map[string]any{
		"offset":        pg.Offset(),
		"rows_per_page": pg.RowsPerPage(),
	}

	var buf strings.Builder
	buf.WriteString(`SELECT product_id, user_id, name, cost, quantity, date_created, date_updated, user_name FROM view_products`)
	applyFilter(filter, data, &buf)

	clause, err := order.Clause(orderBy, orderByColumns, "product_id")
	if err != nil {
		return nil, err
	}
	buf.WriteString(clause)
	buf.WriteString(" OFFSET :offset ROWS FETCH NEXT :rows_per_page ROWS ONLY")

	var rows []product
	if err := sqldb.NamedQuerySlice(ctx, s.db, buf.String(), data, &rows); err != nil {
		return nil, err
	}
	return toBusProducts(rows)
}

// Count implements vproductbus.Storer.
func (s *Store) Count(ctx context.Context, filter vproductbus.QueryFilter) (int, error) {
	data := map[string]any{}

	var buf strings.Builder
	buf.WriteString(`SELECT count(1) AS count FROM view_products`)
	applyFilter(filter, data, &buf)

	var count struct {
		Count int `db:"count"`
	}
	if err := sqldb.NamedQueryStruct(ctx, s.db, buf.String(), data, &count); err != nil {
		return 0, err
	}
	return count.Count, nil
}
