// Package statsbus reports on sales by the UTC day they were taken on
// (taken_at, not when they reached us: a sale recorded offline counts on
// the day it happened): each seller's figures per day, the latest
// figures, and a day's sales as the public record shows them. It only
// reads.
package statsbus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/garagesale/service/business/sdk/usecase"
	"github.com/garagesale/service/business/types/date"
	"github.com/google/uuid"
)

// DefaultMaxRows bounds the rows of one Daily answer: a year of days
// across every seller could be millions.
const DefaultMaxRows = 10_000

// ErrTooManyRows is a Daily query that would return more than the
// business's MaxRows.
var ErrTooManyRows = errors.New("too many rows")

// Storer is what the business needs of storage. Each method is one
// statement, so what it returns is of one snapshot.
type Storer interface {
	// Daily returns each seller's figures for each day of filter's range
	// that has sales, by day then seller ID, at most limit rows.
	Daily(ctx context.Context, filter Filter, limit int) ([]Day, error)
	// Latest returns the last sale taken and the figures of its day, of
	// the seller when sellerID is set; the zero Latest when there is none.
	Latest(ctx context.Context, sellerID *uuid.UUID) (Latest, error)
	// CountDay returns how many sales were taken on day.
	CountDay(ctx context.Context, day date.Date) (int, error)
	// EachSaleOfDay calls fn with every sale taken on day, by taken_at
	// then sale ID, as the rows arrive; an error of fn stops it and is
	// returned as it is.
	EachSaleOfDay(ctx context.Context, day date.Date, fn func(PublicSale) error) error
}

// Config holds the dependencies of a Business. Now may be nil; MaxRows 0
// is DefaultMaxRows.
type Config struct {
	Now     func() time.Time
	Storer  Storer
	MaxRows int
}

// Business reports on sales.
type Business struct {
	core    usecase.Core
	storer  Storer
	maxRows int
}

// NewBusiness returns a Business. It never writes, so it needs no
// transactions.
func NewBusiness(cfg Config) *Business {
	maxRows := cfg.MaxRows
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	return &Business{core: usecase.New("statsbus", nil, cfg.Now), storer: cfg.Storer, maxRows: maxRows}
}

// Today is the UTC day it is now by the business's clock: the default
// end of a range.
func (b *Business) Today() date.Date {
	return date.Of(b.core.Now())
}

// Daily returns each seller's figures for each day of filter's range that
// has sales, by day then seller ID; days without sales are left out.
// More rows than MaxRows is ErrTooManyRows: the caller narrows the range
// or names a seller rather than get a part of the answer.
func (b *Business) Daily(ctx context.Context, filter Filter) ([]Day, error) {
	return usecase.Read(ctx, b.core, "Daily", func(ctx context.Context) ([]Day, error) {
		days, err := b.storer.Daily(ctx, filter, b.maxRows+1)
		if err != nil {
			return nil, fmt.Errorf("daily stats %s to %s: %w", filter.Range.From, filter.Range.To, err)
		}
		if len(days) > b.maxRows {
			return nil, fmt.Errorf("daily stats %s to %s: %w (more than %d)", filter.Range.From, filter.Range.To, ErrTooManyRows, b.maxRows)
		}
		return days, nil
	})
}

// Latest returns when the last sale was taken and the figures of the day
// it was taken on: of the seller's sales when sellerID is set, of all
// otherwise. With no sales it is the zero Latest.
func (b *Business) Latest(ctx context.Context, sellerID *uuid.UUID) (Latest, error) {
	return usecase.Read(ctx, b.core, "Latest", func(ctx context.Context) (Latest, error) {
		l, err := b.storer.Latest(ctx, sellerID)
		if err != nil {
			return Latest{}, fmt.Errorf("latest stats: %w", err)
		}
		return l, nil
	})
}

// CountDay returns how many sales were taken on day.
func (b *Business) CountDay(ctx context.Context, day date.Date) (int, error) {
	return usecase.Read(ctx, b.core, "CountDay", func(ctx context.Context) (int, error) {
		n, err := b.storer.CountDay(ctx, day)
		if err != nil {
			return 0, fmt.Errorf("count sales of %s: %w", day, err)
		}
		return n, nil
	})
}

// EachSaleOfDay calls fn with every sale taken on day as the public
// record shows it, by taken_at then sale ID: the same day gives the same
// sales in the same order as long as its sales do not change. The sales
// stream from one query, so a day of any size takes the memory of one
// sale, and they are of one snapshot. An error of fn stops it and is
// returned as it is, unwrapped.
func (b *Business) EachSaleOfDay(ctx context.Context, day date.Date, fn func(PublicSale) error) error {
	ctx, end := b.core.Span(ctx, "EachSaleOfDay")
	defer end()

	var fnErr error
	err := b.storer.EachSaleOfDay(ctx, day, func(s PublicSale) error {
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
