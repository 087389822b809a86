// Package statsbus reports on sales by the UTC day they were taken on (a
// sale recorded offline counts on the day it happened): each seller's
// figures per day, the latest figures, and a day's public record.
package statsbus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/date"
	"github.com/garagesale/service/foundation/otel"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// DefaultMaxRows bounds the rows of one Daily answer (a year of every
// seller's days could be millions).
const DefaultMaxRows = 10_000

// ErrTooManyRows is a Daily query of more than MaxRows rows.
var ErrTooManyRows = errors.New("too many rows")

// Storer is what the business needs of storage: each method answers, in
// one statement (one snapshot), as the Business method of its name.
type Storer interface {
	// Daily returns at most limit rows.
	Daily(ctx context.Context, db sqlx.ExtContext, filter Filter, limit int) ([]Day, error)
	Latest(ctx context.Context, db sqlx.ExtContext, sellerID *uuid.UUID) (Latest, error)
	CountDay(ctx context.Context, db sqlx.ExtContext, day date.Date) (int, error)
	EachSaleOfDay(ctx context.Context, db sqlx.ExtContext, day date.Date, fn func(PublicSale) error) error
}

// Config holds the dependencies of a Business; Now and MaxRows may be zero.
type Config struct {
	DB      *sqlx.DB
	Now     func() time.Time
	Storer  Storer
	MaxRows int
}

// Business reports on sales.
type Business struct {
	db      *sqlx.DB
	now     func() time.Time
	storer  Storer
	maxRows int
}

// NewBusiness returns a Business.
func NewBusiness(cfg Config) *Business {
	if cfg.MaxRows <= 0 {
		cfg.MaxRows = DefaultMaxRows
	}
	return &Business{db: cfg.DB, now: sqldb.Clock(cfg.Now), storer: cfg.Storer, maxRows: cfg.MaxRows}
}

// Today is the UTC day by the business's clock: a range's default end.
func (b *Business) Today() date.Date {
	return date.Of(b.now())
}

// Daily returns each seller's figures for each day of filter's range that
// has sales, by day then seller ID. More rows than MaxRows is
// ErrTooManyRows: the caller narrows the query rather than get a part.
func (b *Business) Daily(ctx context.Context, filter Filter) ([]Day, error) {
	ctx, span := otel.AddSpan(ctx, "statsbus.Daily")
	defer span.End()

	days, err := b.storer.Daily(ctx, b.db, filter, b.maxRows+1)
	if err != nil {
		return nil, fmt.Errorf("daily stats %s to %s: %w", filter.Range.From, filter.Range.To, err)
	}
	if len(days) > b.maxRows {
		return nil, fmt.Errorf("daily stats %s to %s: %w (more than %d)", filter.Range.From, filter.Range.To, ErrTooManyRows, b.maxRows)
	}
	return days, nil
}

// Latest returns when the last sale was taken and the figures of its day,
// of the seller's sales when sellerID is set; with none, the zero Latest.
func (b *Business) Latest(ctx context.Context, sellerID *uuid.UUID) (Latest, error) {
	ctx, span := otel.AddSpan(ctx, "statsbus.Latest")
	defer span.End()

	l, err := b.storer.Latest(ctx, b.db, sellerID)
	if err != nil {
		return Latest{}, fmt.Errorf("latest stats: %w", err)
	}
	return l, nil
}

// CountDay returns how many sales were taken on day.
func (b *Business) CountDay(ctx context.Context, day date.Date) (int, error) {
	ctx, span := otel.AddSpan(ctx, "statsbus.CountDay")
	defer span.End()

	n, err := b.storer.CountDay(ctx, b.db, day)
	if err != nil {
		return 0, fmt.Errorf("count sales of %s: %w", day, err)
	}
	return n, nil
}

// EachSaleOfDay calls fn with every sale taken on day as the public
// record shows it, by taken_at then sale ID, streamed from one query: a
// day of any size takes the memory of one sale. An error of fn stops it
// and is returned unwrapped.
func (b *Business) EachSaleOfDay(ctx context.Context, day date.Date, fn func(PublicSale) error) error {
	ctx, span := otel.AddSpan(ctx, "statsbus.EachSaleOfDay")
	defer span.End()

	var fnErr error
	err := b.storer.EachSaleOfDay(ctx, b.db, day, func(s PublicSale) error {
		fnErr = fn(s)
		return fnErr
	})
	switch {
	case err == nil:
		return nil
	case fnErr != nil:
		return fnErr
	}
	return fmt.Errorf("sales of %s: %w", day, err)
}
