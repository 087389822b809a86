// Package saledb stores sales in Postgres.
package saledb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// Store manages the sales table, on the db each method is given.
type Store struct{}

const columns = `s.sale_id, s.product_id, s.buyer_id, s.quantity, s.paid, s.date_created, s.taken_at, s.client_id, s.recorded_by`

// insert writes one sale.
const insert = `
	INSERT INTO sales
		(sale_id, product_id, buyer_id, quantity, paid, date_created, taken_at, client_id, recorded_by)
	VALUES
		(:sale_id, :product_id, :buyer_id, :quantity, :paid, :date_created, :taken_at, :client_id, :recorded_by)`

// Create implements salebus.Storer, bound as a struct: the slice form's
// reflection is not worth it on every buy.
func (s Store) Create(ctx context.Context, db sqlx.ExtContext, purchase salebus.Sale, since time.Time, count bool) (int, error) {
	if !count {
		return 0, mapErr(sqldb.NamedExec(ctx, db, insert, toDBSale(purchase)))
	}
	// The buyer's count is upserted in the statement that writes the
	// sale: its row lock makes the buyer's concurrent buys take turns, and
	// each sees the count the one before left. A count older than since
	// starts a new window. The caller's rollback takes a refused buy's
	// count back.
	const q = `
	WITH counted AS (
		INSERT INTO purchase_counts AS c (buyer_id, window_start, purchases)
		VALUES (:buyer_id, :now, 1)
		ON CONFLICT (buyer_id) DO UPDATE SET
			window_start = CASE WHEN c.window_start <= :since THEN excluded.window_start ELSE c.window_start END,
			purchases = CASE WHEN c.window_start <= :since THEN 1 ELSE c.purchases + 1 END
		RETURNING purchases
	)
	` + insert + `
	RETURNING (SELECT purchases - 1 FROM counted) AS recent`

	row := struct {
		sale
		Since time.Time `db:"since"`
		Now   time.Time `db:"now"`
	}{toDBSale(purchase), since.UTC(), purchase.DateCreated.UTC()}
	var out struct {
		Recent int `db:"recent"`
	}
	if err := sqldb.NamedQueryStruct(ctx, db, q, row, &out); err != nil {
		return 0, mapErr(err)
	}
	return out.Recent, nil
}

// CreateMany implements salebus.Storer: one INSERT of a column array
// each, so the statement is the same text (and plan) for any number of
// sales, and the rows travel as nine parameters, not nine a row.
func (s Store) CreateMany(ctx context.Context, db sqlx.ExtContext, sales []salebus.Sale) error {
	const q = `
	INSERT INTO sales
		(sale_id, product_id, buyer_id, quantity, paid, date_created, taken_at, client_id, recorded_by)
	SELECT * FROM unnest(
		CAST(:sale_ids AS uuid[]), CAST(:product_ids AS uuid[]), CAST(:buyer_ids AS uuid[]),
		CAST(:quantities AS integer[]), CAST(:paids AS bigint[]), CAST(:dates_created AS timestamptz[]),
		CAST(:taken_ats AS timestamptz[]), CAST(:client_ids AS text[]), CAST(:recorded_bys AS uuid[]))`

	n := len(sales)
	ids, products := make([]uuid.UUID, n), make([]uuid.UUID, n)
	buyers, recordedBy := make([]uuid.NullUUID, n), make([]uuid.NullUUID, n)
	clientIDs := make([]*string, n)
	quantities, paids := make([]int64, n), make([]int64, n)
	created, taken := make([]time.Time, n), make([]time.Time, n)
	for i, sl := range sales {
		r := toDBSale(sl)
		ids[i], products[i] = r.ID, r.ProductID
		buyers[i], recordedBy[i] = r.BuyerID, r.RecordedBy
		if r.ClientID.Valid {
			clientIDs[i] = &r.ClientID.String
		}
		quantities[i], paids[i] = int64(r.Quantity), r.Paid
		created[i], taken[i] = r.DateCreated, r.TakenAt
	}
	return mapErr(sqldb.NamedExec(ctx, db, q, map[string]any{
		"sale_ids": ids, "product_ids": products, "buyer_ids": buyers, "quantities": quantities, "paids": paids,
		"dates_created": created, "taken_ats": taken, "client_ids": clientIDs, "recorded_bys": recordedBy,
	}))
}

// byClientIDs finds a seller's sales by the ids their device gave them:
// one probe of the unique (recorded_by, client_id) index per id. The
// LIMIT keeps Postgres from flattening the subquery into a join, whose
// plan may read all the seller's sales at once. Written as `client_id =
// ANY(:client_ids)`, the generic plan of the prepared statement, made from
// statistics taken before the seller's uploads, read every sale the
// seller had recorded and compared it with each id of the batch (a second
// upload of 20,000 lines spent a second on each batch of 1,000); a plain
// join of the ids hashed them and still read every such sale.
const byClientIDs = `SELECT ` + columns + `
	FROM unnest(CAST(:client_ids AS text[])) AS c(client_id)
	CROSS JOIN LATERAL (
		SELECT * FROM sales
		WHERE recorded_by = :recorded_by AND client_id IS NOT NULL AND client_id = c.client_id
		LIMIT 1
	) s`

// QueryByClientIDs implements salebus.Storer.
func (s Store) QueryByClientIDs(ctx context.Context, db sqlx.ExtContext, recordedBy uuid.UUID, clientIDs []string) (map[string]salebus.Sale, error) {
	var rows []sale
	if err := sqldb.NamedQuerySlice(ctx, db, byClientIDs, map[string]any{"recorded_by": recordedBy, "client_ids": clientIDs}, &rows); err != nil {
		return nil, mapErr(err)
	}
	sales, err := sqldb.Load(rows, toBusSale)
	if err != nil {
		return nil, err
	}
	found := make(map[string]salebus.Sale, len(sales))
	for _, sl := range sales {
		found[sl.ClientID] = sl
	}
	return found, nil
}

// Delete implements salebus.Storer.
func (s Store) Delete(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) error {
	const q = `DELETE FROM sales WHERE sale_id = :sale_id`

	return mapErr(sqldb.NamedExecOne(ctx, db, q, map[string]any{"sale_id": id}))
}

// RecordCancellation implements salebus.Storer.
func (s Store) RecordCancellation(ctx context.Context, db sqlx.ExtContext, sl salebus.Sale, at time.Time) error {
	const q = `INSERT INTO sale_cancellations (recorded_by, client_id, sale_id, cancelled_at)
	VALUES (:recorded_by, :client_id, :sale_id, :cancelled_at)
	ON CONFLICT (recorded_by, client_id) DO NOTHING`

	return sqldb.NamedExec(ctx, db, q, map[string]any{
		"recorded_by": sl.RecordedBy, "client_id": sl.ClientID, "sale_id": sl.ID, "cancelled_at": at,
	})
}

// QueryCancelled implements salebus.Storer: one probe of the primary key
// per id, as byClientIDs.
func (s Store) QueryCancelled(ctx context.Context, db sqlx.ExtContext, recordedBy uuid.UUID, clientIDs []string) (map[string]uuid.UUID, error) {
	const q = `SELECT c.client_id, x.sale_id
	FROM unnest(CAST(:client_ids AS text[])) AS c(client_id)
	CROSS JOIN LATERAL (
		SELECT sale_id FROM sale_cancellations
		WHERE recorded_by = :recorded_by AND client_id = c.client_id
	) x`

	var rows []struct {
		ClientID string    `db:"client_id"`
		SaleID   uuid.UUID `db:"sale_id"`
	}
	if err := sqldb.NamedQuerySlice(ctx, db, q, map[string]any{"recorded_by": recordedBy, "client_ids": clientIDs}, &rows); err != nil {
		return nil, err
	}
	found := make(map[string]uuid.UUID, len(rows))
	for _, r := range rows {
		found[r.ClientID] = r.SaleID
	}
	return found, nil
}

// Query implements salebus.Storer.
func (s Store) Query(ctx context.Context, db sqlx.ExtContext, filter salebus.QueryFilter, orderBy order.By, pg page.Page) (page.Of[salebus.Sale], error) {
	rows, err := sqldb.QueryPage[sale](ctx, db, selectSales(filter, orderBy), pg)
	if err != nil {
		return page.Of[salebus.Sale]{}, err
	}
	return sqldb.LoadPage(rows, toBusSale)
}

// Count implements salebus.Storer.
func (s Store) Count(ctx context.Context, db sqlx.ExtContext, filter salebus.QueryFilter) (int, error) {
	return sqldb.Count(ctx, db, "sales s", toWhere(filter))
}

// QueryByID implements salebus.Storer.
func (s Store) QueryByID(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) (salebus.Sale, error) {
	const q = `SELECT ` + columns + ` FROM sales s WHERE s.sale_id = :sale_id`

	var row sale
	if err := sqldb.NamedQueryStruct(ctx, db, q, map[string]any{"sale_id": id}, &row); err != nil {
		return salebus.Sale{}, mapErr(err)
	}
	return toBusSale(row)
}

// clientIDIndex is the unique index of the ids uploaded sales carry.
const clientIDIndex = "sales_recorded_by_client_id_idx"

// mapErr turns the database's errors into the domain's; nil stays nil.
func mapErr(err error) error {
	switch {
	case errors.Is(err, sqldb.ErrDBNotFound):
		return salebus.ErrNotFound
	case errors.Is(err, sqldb.ErrDBDuplicatedEntry) && sqldb.Constraint(err) == clientIDIndex:
		return fmt.Errorf("%w: %w", salebus.ErrClientIDTaken, err)
	}
	return err
}

// toWhere returns the conditions of filter on the sales table, aliased s.
func toWhere(filter salebus.QueryFilter) *sqldb.Where {
	w := sqldb.NewWhere()
	if filter.ID != nil {
		w.Add("s.sale_id = :sale_id", "sale_id", *filter.ID)
	}
	if filter.ProductID != nil {
		w.Add("s.product_id = :product_id", "product_id", *filter.ProductID)
	}
	if filter.BuyerID != nil {
		w.Add("s.buyer_id = :buyer_id", "buyer_id", *filter.BuyerID)
	}
	if filter.StartDate != nil {
		w.Add("s.date_created >= :start_date", "start_date", filter.StartDate.UTC())
	}
	if filter.EndDate != nil {
		w.Add("s.date_created < :end_date", "end_date", filter.EndDate.UTC())
	}
	if filter.VisibleTo != nil {
		w.Add(`(s.buyer_id = :visible_to OR EXISTS (
			SELECT 1 FROM products p WHERE p.product_id = s.product_id AND p.user_id = :visible_to))`,
			"visible_to", *filter.VisibleTo)
	}
	return w
}

// orderByColumns are the columns a list is ordered by. A walk-in sale's
// NULL buyer would pass no cursor comparison: it orders as the nil UUID.
var orderByColumns = map[string]string{
	salebus.OrderByID:          "s.sale_id",
	salebus.OrderByProductID:   "s.product_id",
	salebus.OrderByBuyerID:     "COALESCE(s.buyer_id, CAST('00000000-0000-0000-0000-000000000000' AS uuid))",
	salebus.OrderByQuantity:    "s.quantity",
	salebus.OrderByPaid:        "s.paid",
	salebus.OrderByDateCreated: "s.date_created",
}

// selectSales is the list query for filter and orderBy.
func selectSales(filter salebus.QueryFilter, orderBy order.By) sqldb.Select {
	return sqldb.Select{
		Columns: columns, From: "sales s", Where: toWhere(filter),
		Order: orderBy, OrderColumns: orderByColumns, Tiebreak: "s.sale_id",
	}
}
