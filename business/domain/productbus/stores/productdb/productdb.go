// Package productdb stores products in Postgres.
package productdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// Columns are the products table's columns as Row scans them; vproductdb
// selects them too.
const Columns = `product_id, user_id, name, cost, min_price, quantity, date_created, date_updated`

// Store manages the products table, on the db each method is given.
type Store struct{}

// Create implements productbus.Storer.
func (s Store) Create(ctx context.Context, db sqlx.ExtContext, prd productbus.Product) error {
	const q = `
	INSERT INTO products
		(product_id, user_id, name, cost, min_price, quantity, stock_added, date_created, date_updated)
	VALUES
		(:product_id, :user_id, :name, :cost, :min_price, :quantity, :quantity, :date_created, :date_updated)`

	if err := sqldb.NamedExec(ctx, db, q, toDBProduct(prd)); err != nil {
		// The only foreign key is the owner, deleted since it was checked.
		if errors.Is(err, sqldb.ErrDBReferenced) {
			return fmt.Errorf("%w: %w", productbus.ErrUserDisabled, err)
		}
		return mapErr(err)
	}
	return nil
}

// Update implements productbus.Storer. The owner never changes; a change
// of quantity by hand is stock added or written off, so stock_added moves.
func (s Store) Update(ctx context.Context, db sqlx.ExtContext, prd productbus.Product) error {
	const q = `
	UPDATE products SET
		name = :name,
		cost = :cost,
		min_price = :min_price,
		stock_added = stock_added + (:quantity - quantity),
		quantity = :quantity,
		date_updated = :date_updated
	WHERE product_id = :product_id`

	return mapErr(sqldb.NamedExecOne(ctx, db, q, toDBProduct(prd)))
}

// TakeStock implements productbus.Storer: one guarded statement, which
// takes the row lock and checks the stock at once.
func (s Store) TakeStock(ctx context.Context, db sqlx.ExtContext, id uuid.UUID, n quantity.Quantity, now time.Time) (productbus.Product, error) {
	const q = `
	UPDATE products SET
		quantity = quantity - :n,
		date_updated = :now
	WHERE product_id = :product_id AND quantity >= :n
	RETURNING ` + Columns

	return s.moveStock(ctx, db, q, id, n, now, productbus.ErrInsufficientStock)
}

// ReturnStock implements productbus.Storer.
func (s Store) ReturnStock(ctx context.Context, db sqlx.ExtContext, id uuid.UUID, n quantity.Quantity, now time.Time) (productbus.Product, error) {
	const q = `
	UPDATE products SET
		quantity = quantity + :n,
		date_updated = :now
	WHERE product_id = :product_id AND quantity <= :room
	RETURNING ` + Columns

	return s.moveStock(ctx, db, q, id, n, now, productbus.ErrStockLimit)
}

// moveStock runs a guarded stock update; when it changes no row, the
// product is read to tell a missing one from a failed guard (guardErr).
func (s Store) moveStock(ctx context.Context, db sqlx.ExtContext, q string, id uuid.UUID, n quantity.Quantity, now time.Time, guardErr error) (productbus.Product, error) {
	data := map[string]any{
		"product_id": id,
		"n":          n.Value(),
		"now":        now.UTC(),
		"room":       quantity.Max - n.Value(), // the most stock that can take n more
	}

	var row Row
	err := sqldb.NamedQueryStruct(ctx, db, q, data, &row)
	if err == nil {
		return Load(row)
	}
	if !errors.Is(err, sqldb.ErrDBNotFound) {
		return productbus.Product{}, mapErr(err)
	}
	prd, err := s.QueryByID(ctx, db, id)
	if err != nil {
		return productbus.Product{}, err
	}
	return prd, guardErr
}

// Delete implements productbus.Storer.
func (s Store) Delete(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) error {
	const q = `DELETE FROM products WHERE product_id = :product_id`

	return mapErr(sqldb.NamedExecOne(ctx, db, q, map[string]any{"product_id": id}))
}

// Query implements productbus.Storer.
func (s Store) Query(ctx context.Context, db sqlx.ExtContext, filter productbus.QueryFilter, orderBy order.By, pg page.Page) (page.Of[productbus.Product], error) {
	rows, err := sqldb.QueryPage[Row](ctx, db, selectProducts(filter, orderBy), pg)
	if err != nil {
		return page.Of[productbus.Product]{}, err
	}
	return sqldb.LoadPage(rows, Load)
}

// selectProducts is the products list query for filter and orderBy.
func selectProducts(filter productbus.QueryFilter, orderBy order.By) sqldb.Select {
	return sqldb.Select{
		Columns: Columns, From: "products", Where: FilterWhere(filter),
		Order: orderBy, OrderColumns: orderByColumns, Tiebreak: "product_id",
	}
}

// QueryByID implements productbus.Storer.
func (s Store) QueryByID(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) (productbus.Product, error) {
	return s.queryOne(ctx, db, `WHERE product_id = :product_id`, id)
}

// QueryByIDForUpdate implements productbus.Storer.
func (s Store) QueryByIDForUpdate(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) (productbus.Product, error) {
	return s.queryOne(ctx, db, `WHERE product_id = :product_id FOR UPDATE`, id)
}

// QueryByIDsForSale implements productbus.Storer.
func (s Store) QueryByIDsForSale(ctx context.Context, db sqlx.ExtContext, owner uuid.UUID, ids []uuid.UUID) ([]productbus.Product, error) {
	const owned = `SELECT ` + Columns + ` FROM products
	WHERE product_id = ANY(CAST(:ids AS uuid[])) AND user_id = :owner
	ORDER BY product_id
	FOR UPDATE`
	const others = `SELECT ` + Columns + ` FROM products
	WHERE product_id = ANY(CAST(:ids AS uuid[])) AND user_id <> :owner`

	data := map[string]any{"ids": ids, "owner": owner}
	var rows, rest []Row
	if err := sqldb.NamedQuerySlice(ctx, db, owned, data, &rows); err != nil {
		return nil, mapErr(err)
	}
	if len(rows) < len(ids) {
		if err := sqldb.NamedQuerySlice(ctx, db, others, data, &rest); err != nil {
			return nil, mapErr(err)
		}
	}
	return sqldb.Load(append(rows, rest...), Load)
}

func (s Store) queryOne(ctx context.Context, db sqlx.ExtContext, where string, id uuid.UUID) (productbus.Product, error) {
	q := `SELECT ` + Columns + ` FROM products ` + where

	var row Row
	if err := sqldb.NamedQueryStruct(ctx, db, q, map[string]any{"product_id": id}, &row); err != nil {
		return productbus.Product{}, mapErr(err)
	}
	return Load(row)
}

// salesReference is the sales table's foreign key to products.
const salesReference = "sales_product_id_fkey"

// mapErr turns the database's errors into the domain's; nil stays nil.
func mapErr(err error) error {
	switch {
	case errors.Is(err, sqldb.ErrDBNotFound):
		return productbus.ErrNotFound
	case errors.Is(err, sqldb.ErrDBReferenced) && sqldb.Constraint(err) == salesReference:
		return fmt.Errorf("%w: %w", productbus.ErrHasSales, err)
	case errors.Is(err, sqldb.ErrDBReferenced):
		return fmt.Errorf("%w: %w", productbus.ErrReferenced, err)
	}
	return err
}

// FilterWhere returns the conditions of filter on the products table, or
// on any relation with its columns (vproductdb's join).
func FilterWhere(filter productbus.QueryFilter) *sqldb.Where {
	w := sqldb.NewWhere()
	if filter.ID != nil {
		w.Add("product_id = :product_id", "product_id", *filter.ID)
	}
	if filter.Name != nil {
		w.Search("name", "name", *filter.Name)
	}
	if filter.CostMin != nil {
		w.Add("cost >= :cost_min", "cost_min", filter.CostMin.Cents())
	}
	if filter.CostMax != nil {
		w.Add("cost <= :cost_max", "cost_max", filter.CostMax.Cents())
	}
	if filter.QuantityMin != nil {
		w.Add("quantity >= :quantity_min", "quantity_min", *filter.QuantityMin)
	}
	if filter.QuantityMax != nil {
		w.Add("quantity <= :quantity_max", "quantity_max", *filter.QuantityMax)
	}
	if filter.UserID != nil {
		w.Add("user_id = :user_id", "user_id", *filter.UserID)
	}
	return w
}

var orderByColumns = map[string]string{
	productbus.OrderByID:          "product_id",
	productbus.OrderByUserID:      "user_id",
	productbus.OrderByName:        "name",
	productbus.OrderByCost:        "cost",
	productbus.OrderByQuantity:    "quantity",
	productbus.OrderByDateCreated: "date_created",
}
