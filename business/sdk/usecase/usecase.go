// Package usecase is how a domain's business methods are written, so that
// each is only its rule: Core runs a method in a span named for it and,
// when it writes, in one transaction carried by its context, with the
// one clock every domain reads; List and Get are the read use cases every
// domain has, written once.
package usecase

import (
	"context"
	"time"

	"github.com/garagesale/service/foundation/otel"
)

// Transactor runs fn in one transaction carried by the context fn is
// given: every store and business called with that context joins it, so a
// change and its audit record (or a sale and the stock it takes) commit
// or roll back together. sqldb.NewTransactor is the one there is.
type Transactor interface {
	Transact(ctx context.Context, fn func(ctx context.Context) error) error
	// Join runs fn in the transaction ctx carries, or in its own.
	Join(ctx context.Context, fn func(ctx context.Context) error) error
}

// Core is what every Business embeds: its name for spans, its
// transactions and its clock.
type Core struct {
	name string
	tx   Transactor
	now  func() time.Time
}

// New returns the Core of the business named name ("productbus"). now
// may be nil for the wall clock; tx may be nil for a business that never
// writes.
func New(name string, tx Transactor, now func() time.Time) Core {
	if now == nil {
		now = time.Now
	}
	return Core{name: name, tx: tx, now: now}
}

// Now is the time of an operation: read once per operation, in UTC at the
// database's microsecond precision, so what a method returns equals what
// it stored.
func (c Core) Now() time.Time {
	return c.now().UTC().Truncate(time.Microsecond)
}

// Span starts the span of the method named method; the caller ends it.
func (c Core) Span(ctx context.Context, method string) (context.Context, func()) {
	ctx, span := otel.AddSpan(ctx, c.name+"."+method)
	return ctx, func() { span.End() }
}

// Write runs fn, the body of a method that changes data, in the method's
// span and one transaction: committed when fn returns nil, rolled back
// otherwise. A transaction already in ctx (a request made idempotent, a
// sale taking stock) is joined as a savepoint, and only its owner
// commits. fn may run again when the transaction loses to a concurrent
// one, so it must have no effect outside the database.
func (c Core) Write(ctx context.Context, method string, fn func(ctx context.Context) error) error {
	ctx, end := c.Span(ctx, method)
	defer end()
	return c.tx.Transact(ctx, fn)
}

// Join runs fn, the body of a narrow method another domain calls inside
// its own Write (a sale taking stock), in the method's span and the
// caller's transaction, with no savepoint: an error fails the caller's
// whole use case. Called outside a transaction it runs in one of its own.
func (c Core) Join(ctx context.Context, method string, fn func(ctx context.Context) error) error {
	ctx, end := c.Span(ctx, method)
	defer end()
	return c.tx.Join(ctx, fn)
}

// Read runs fn, the body of a method that only reads, in the method's
// span.
func Read[T any](ctx context.Context, c Core, method string, fn func(ctx context.Context) (T, error)) (T, error) {
	ctx, end := c.Span(ctx, method)
	defer end()
	return fn(ctx)
}
