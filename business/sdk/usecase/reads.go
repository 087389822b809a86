package usecase

import (
	"context"
	"fmt"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/google/uuid"
)

// Lister is what List needs of a store.
type Lister[T, F any] interface {
	Query(ctx context.Context, filter F, orderBy order.By, pg page.Page) ([]T, *page.Cursor, error)
	Count(ctx context.Context, filter F) (int, error)
}

// List gives the Business that embeds it its Query and Count: records of
// type T matching a filter F, a page at a time.
type List[T, F any] struct {
	core  Core
	noun  string
	store Lister[T, F]
}

// NewList returns the list use cases of core's records, called noun
// ("products") in errors.
func NewList[T, F any](core Core, noun string, store Lister[T, F]) List[T, F] {
	return List[T, F]{core: core, noun: noun, store: store}
}

// Query returns one page of the records that match filter, and the cursor
// of the page after it when there may be one.
func (l List[T, F]) Query(ctx context.Context, filter F, orderBy order.By, pg page.Page) ([]T, *page.Cursor, error) {
	ctx, end := l.core.Span(ctx, "Query")
	defer end()

	items, next, err := l.store.Query(ctx, filter, orderBy, pg)
	if err != nil {
		return nil, nil, fmt.Errorf("query %s: %w", l.noun, err)
	}
	return items, next, nil
}

// Count returns how many records match filter.
func (l List[T, F]) Count(ctx context.Context, filter F) (int, error) {
	ctx, end := l.core.Span(ctx, "Count")
	defer end()

	n, err := l.store.Count(ctx, filter)
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", l.noun, err)
	}
	return n, nil
}

// Getter is what Get needs of a store.
type Getter[T any] interface {
	// QueryByID returns the domain's ErrNotFound.
	QueryByID(ctx context.Context, id uuid.UUID) (T, error)
}

// Get gives the Business that embeds it its QueryByID.
type Get[T any] struct {
	core  Core
	noun  string
	store Getter[T]
}

// NewGet returns the read-one use case of core's records, called noun
// ("product") in errors.
func NewGet[T any](core Core, noun string, store Getter[T]) Get[T] {
	return Get[T]{core: core, noun: noun, store: store}
}

// QueryByID returns the record with id, or the store's not-found error.
func (g Get[T]) QueryByID(ctx context.Context, id uuid.UUID) (T, error) {
	ctx, end := g.core.Span(ctx, "QueryByID")
	defer end()

	v, err := g.store.QueryByID(ctx, id)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("query %s %s: %w", g.noun, id, err)
	}
	return v, nil
}
