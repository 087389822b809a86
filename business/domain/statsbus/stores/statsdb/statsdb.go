// Package statsdb reads the figures of sales from Postgres, by the UTC day
// of sales.taken_at. A sale's seller is the owner of its product.
package statsdb

import (
	"context"
	"errors"
	"time"

	"github.com/garagesale/service/business/domain/statsbus"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/date"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// Store reads the sales and products tables on the db it is given.
type Store struct{}

// utcDay is the UTC day of a sale as text, 2026-01-02: to_char does not
// depend on the session's DateStyle or TimeZone.
const utcDay = `to_char(s.taken_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`

// Daily implements statsbus.Storer.
func (s Store) Daily(ctx context.Context, db sqlx.ExtContext, filter statsbus.Filter, limit int) ([]statsbus.Day, error) {
	w := dayWhere(filter.Range.From.Start(), filter.Range.To.End())
	if filter.SellerID != nil {
		w.Add("p.user_id = :seller_id", "seller_id", *filter.SellerID)
	}
	data := w.Data()
	data["limit"] = limit
	q := `
	SELECT ` + utcDay + ` AS day, p.user_id AS seller_id,
		count(*) AS sales, sum(s.quantity) AS units, CAST(sum(s.paid) AS bigint) AS revenue
	FROM sales s
	JOIN products p ON p.product_id = s.product_id` + w.Clause() + `
	GROUP BY day, p.user_id
	ORDER BY day, p.user_id
	LIMIT :limit`

	var rows []dayRow
	if err := sqldb.NamedQuerySlice(ctx, db, q, data, &rows); err != nil {
		return nil, err
	}
	return sqldb.Load(rows, toBusDay)
}

// Latest implements statsbus.Storer. The last sale and its day's figures
// come from one statement, so they agree.
func (s Store) Latest(ctx context.Context, db sqlx.ExtContext, sellerID *uuid.UUID) (statsbus.Latest, error) {
	cond, data := "", map[string]any{}
	if sellerID != nil {
		cond = ` AND s.product_id IN (SELECT product_id FROM products WHERE user_id = :seller_id)`
		data["seller_id"] = *sellerID
	}
	// A day is 24 hours in UTC; "+ interval '1 day'" would follow the
	// session's time zone across a daylight saving change.
	q := `
	WITH last AS (
		SELECT s.taken_at, date_trunc('day', s.taken_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day_start
		FROM sales s
		WHERE true` + cond + `
		ORDER BY s.taken_at DESC
		LIMIT 1
	)
	SELECT last.taken_at AS last_taken_at, ` + utcDay + ` AS day,
		count(*) AS sales, sum(s.quantity) AS units, CAST(sum(s.paid) AS bigint) AS revenue
	FROM last
	JOIN sales s ON s.taken_at >= last.day_start AND s.taken_at < last.day_start + interval '24 hours'
	WHERE true` + cond + `
	GROUP BY last.taken_at, day`

	var row latestRow
	err := sqldb.NamedQueryStruct(ctx, db, q, data, &row)
	switch {
	case errors.Is(err, sqldb.ErrDBNotFound):
		return statsbus.Latest{}, nil
	case err != nil:
		return statsbus.Latest{}, err
	}
	return toBusLatest(row)
}

// CountDay implements statsbus.Storer.
func (s Store) CountDay(ctx context.Context, db sqlx.ExtContext, day date.Date) (int, error) {
	w := dayWhere(day.Start(), day.End())
	var row struct {
		Count int `db:"count"`
	}
	if err := sqldb.NamedQueryStruct(ctx, db, `SELECT count(*) AS count FROM sales s`+w.Clause(), w.Data(), &row); err != nil {
		return 0, err
	}
	return row.Count, nil
}

// EachSaleOfDay implements statsbus.Storer, in the order of the index
// sales_taken_at_idx, so the rows come off it unsorted.
func (s Store) EachSaleOfDay(ctx context.Context, db sqlx.ExtContext, day date.Date, fn func(statsbus.PublicSale) error) error {
	w := dayWhere(day.Start(), day.End())
	q := `
	SELECT s.sale_id, s.taken_at, s.product_id, p.user_id AS seller_id, s.quantity, s.paid,
		s.client_id IS NOT NULL AS offline
	FROM sales s
	JOIN products p ON p.product_id = s.product_id` + w.Clause() + `
	ORDER BY s.taken_at, s.sale_id`

	return sqldb.NamedQueryEach(ctx, db, q, w.Data(), func(r saleRow) error {
		sale, err := toBusSale(r)
		if err != nil {
			return err
		}
		return fn(sale)
	})
}

// dayWhere keeps the sales taken from from up to until.
func dayWhere(from, until time.Time) *sqldb.Where {
	w := sqldb.NewWhere()
	w.AddN("s.taken_at >= :from AND s.taken_at < :until", map[string]any{"from": from, "until": until})
	return w
}
