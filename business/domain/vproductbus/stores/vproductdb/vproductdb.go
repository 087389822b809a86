// Package vproductdb reads products with their owners' names from
// Postgres.
package vproductdb

import (
	"context"

	"github.com/garagesale/service/business/domain/productbus/stores/productdb"
	"github.com/garagesale/service/business/domain/vproductbus"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/jmoiron/sqlx"
)

// columns are the products' with their owners' names, which triggers
// keep on each product (migration 00013): ordered and searched by an
// index of its own, as a column of a join could not be.
const (
	columns = productdb.Columns + `, user_name`
	from    = `products`
)

// Store reads products with their owners' names, on the db each method
// is given.
type Store struct{}

// Query implements vproductbus.Storer.
func (s Store) Query(ctx context.Context, db sqlx.ExtContext, filter vproductbus.QueryFilter, orderBy order.By, pg page.Page) (page.Of[vproductbus.Product], error) {
	rows, err := sqldb.QueryPage[product](ctx, db, selectProducts(filter, orderBy), pg)
	if err != nil {
		return page.Of[vproductbus.Product]{}, err
	}
	return sqldb.LoadPage(rows, toBusProduct)
}

// toWhere returns the conditions of filter: the products table's, plus
// the owner's name.
func toWhere(filter vproductbus.QueryFilter) *sqldb.Where {
	w := productdb.FilterWhere(filter.QueryFilter)
	if filter.UserName != nil {
		w.Search("user_name", "user_name", *filter.UserName)
	}
	return w
}

var orderByColumns = map[string]string{
	vproductbus.OrderByID:          "product_id",
	vproductbus.OrderByUserID:      "user_id",
	vproductbus.OrderByName:        "name",
	vproductbus.OrderByCost:        "cost",
	vproductbus.OrderByQuantity:    "quantity",
	vproductbus.OrderByDateCreated: "date_created",
	vproductbus.OrderByUserName:    "user_name",
}

// selectProducts is the list query for filter and orderBy.
func selectProducts(filter vproductbus.QueryFilter, orderBy order.By) sqldb.Select {
	return sqldb.Select{
		Columns: columns, From: from, Where: toWhere(filter),
		Order: orderBy, OrderColumns: orderByColumns, Tiebreak: "product_id",
	}
}
