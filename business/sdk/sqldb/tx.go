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
// which still bounds every other statement. A COMMIT cut off at the
// request's deadline may still take effect, committing work its client was
// told failed; with the grace, only a stall longer than it leaves the
// outcome unknown (the client learns it by retrying its Idempotency-Key).
func WithCommitDeadline(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, commitDeadlineKey{}, t)
}

// maxAttempts bounds the runs of a transaction that loses to another.
const maxAttempts = 3

var txRetries atomic.Uint64

// Transact runs fn in one transaction of db and commits it when fn
// returns nil, or rolls it back; a failed commit is returned, never lost.
// fn runs its statements on tx and passes tx to whatever else must write
// in the same transaction. There is no nesting, and a transaction never
// hides in a context: a request holds one connection, never a second that
// could exhaust the pool.
// A serialization failure or a deadlock rolls back and runs fn again, up
// to maxAttempts in all with a short jittered pause between, then is
// ErrDBConflict: fn must have no effect outside the database.
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

// transact is one attempt of Transact, bound to ctx (which rolls it back
// when it ends before the commit) or to ctx's commit deadline.
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
