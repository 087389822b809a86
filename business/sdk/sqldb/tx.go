package sqldb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

type commitDeadlineKey struct{}

// WithCommitDeadline returns ctx with a commit deadline: a transaction
// begun with it may finish its COMMIT until t, after ctx's own deadline,
// which still bounds every other statement.
//
// A COMMIT the server received may take effect even when its answer never
// comes back. Were it cut off at the request's deadline, a database that
// stalls just then would commit work its client was told failed. With the
// grace, a stall shorter than it ends with the commit's true outcome;
// only a longer one leaves the outcome unknown (a client learns it by
// retrying with the same Idempotency-Key).
func WithCommitDeadline(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, commitDeadlineKey{}, t)
}

// maxAttempts bounds how often Transact runs a transaction that loses to
// a concurrent one.
const maxAttempts = 3

var txRetries atomic.Uint64

// Transact runs fn in one transaction of db and commits it when fn
// returns nil, or rolls it back; a failed commit is returned, never lost.
// fn runs its statements on tx, the transaction-bound handle, and passes
// it to whatever else must write in the same transaction (a narrow method
// of another domain, the audit records, an idempotency key's answer).
// There is no nesting: tx cannot begin another transaction, and a
// transaction never hides in a context.
//
// A transaction that fails with a serialization failure or a deadlock is
// rolled back and run again, up to three attempts in all with a short,
// growing, jittered pause between them; after that the error is
// ErrDBConflict. fn may therefore run more than once and must have no
// effect outside the database.
//
// A request that runs in one transaction holds one connection, never a
// second: two requests each holding a connection while waiting for
// another cannot exhaust the pool between them.
func Transact(ctx context.Context, db *sqlx.DB, fn func(tx *sqlx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := transact(ctx, db, fn)
		if err == nil || attempt == maxAttempts || !errors.Is(err, ErrDBConflict) {
			return err
		}
		txRetries.Add(1)
		pause := time.Duration(attempt)*10*time.Millisecond + rand.N(10*time.Millisecond)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// transact is one attempt of Transact. The transaction is bound to ctx
// (when ctx ends before the commit the driver rolls it back) or, with a
// commit deadline, to that deadline.
func transact(ctx context.Context, db *sqlx.DB, fn func(tx *sqlx.Tx) error) error {
	// A request already past its deadline or abandoned takes no
	// connection: the transaction below may outlive ctx's cancellation.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("begin transaction: %w", translate(err))
	}
	txCtx := ctx
	if t, ok := ctx.Value(commitDeadlineKey{}).(time.Time); ok {
		var cancel context.CancelFunc
		txCtx, cancel = context.WithDeadline(context.WithoutCancel(ctx), t)
		defer cancel()
	}
	tx, err := db.BeginTxx(txCtx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", translate(err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()

	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil {
			return errors.Join(err, fmt.Errorf("rollback: %w", translate(rbErr)))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		if ctx.Err() != nil {
			// database/sql rolls back a transaction whose context ended,
			// and then reports only that it is done.
			err = errors.Join(err, ctx.Err())
		}
		return fmt.Errorf("commit: %w", translate(err))
	}
	return nil
}
