package sqldb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
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

// txContext is the context a transaction is begun under, which bounds its
// BEGIN and COMMIT: ctx itself, or with a commit deadline, a context that
// lives until that deadline whatever becomes of ctx.
func txContext(ctx context.Context) (context.Context, context.CancelFunc) {
	t, ok := ctx.Value(commitDeadlineKey{}).(time.Time)
	if !ok {
		return ctx, func() {}
	}
	return context.WithDeadline(context.WithoutCancel(ctx), t)
}

// maxAttempts bounds how often Transact runs a transaction that loses to
// a concurrent one.
const maxAttempts = 3

var txRetries atomic.Uint64

// Transact runs fn in a transaction of db carried by the context it is
// given: every business and store called with that context joins it, a
// statement on db's pool runs in it, and a Transact of db inside fn is a
// savepoint in it. The whole commits when fn returns nil and rolls back
// otherwise; a failed commit is returned, never lost.
//
// A transaction that fails with a serialization failure or a deadlock is
// rolled back and run again, up to three attempts in all with a short,
// growing, jittered pause between them; after that the error is
// ErrDBConflict. fn may therefore run more than once and must have no
// effect outside the transaction.
//
// Called with a context that already carries a transaction of db, Transact
// runs fn in a savepoint of it instead: fn's error undoes only what fn
// did, and the transaction goes on. A savepoint is never retried on its
// own: the transaction's owner retries the whole.
//
// A request that runs in one transaction therefore holds one connection,
// never a second: two requests each holding a connection while waiting for
// another cannot exhaust the pool between them.
func Transact(ctx context.Context, db *sqlx.DB, fn func(ctx context.Context) error) error {
	if tx, ok := ctxTx(ctx, db); ok {
		return tx.inSavepoint(ctx, fn)
	}
	for attempt := 1; ; attempt++ {
		err := runTx(ctx, db, fn)
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

// runTx is one attempt of Transact: fn in a new transaction of db, bound
// to ctx (when ctx ends before the commit the driver rolls it back) or,
// with a commit deadline, to that deadline.
func runTx(ctx context.Context, db *sqlx.DB, fn func(ctx context.Context) error) error {
	// A request already past its deadline or abandoned takes no
	// connection: the transaction below may outlive ctx's cancellation.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("begin transaction: %w", translate(err))
	}
	txCtx, cancel := txContext(ctx)
	defer cancel()
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

	outer, _ := ctx.Value(txKey{}).(*txValue)
	if err := fn(context.WithValue(ctx, txKey{}, &txValue{ext: tx, owner: db, life: txCtx, outer: outer})); err != nil {
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

// Transactor is Transact over one pool: what a business holds to run its
// use cases in transactions, instead of the pool itself.
type Transactor struct {
	db *sqlx.DB
}

// NewTransactor returns the Transactor of db.
func NewTransactor(db *sqlx.DB) Transactor {
	return Transactor{db: db}
}

// Transact runs fn as the package's Transact does.
func (t Transactor) Transact(ctx context.Context, fn func(ctx context.Context) error) error {
	return Transact(ctx, t.db, fn)
}

// Join runs fn in the transaction of this pool that ctx carries, without
// a savepoint of its own (an error fails the caller's whole transaction),
// or in a transaction of its own when ctx carries none.
func (t Transactor) Join(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctxTx(ctx, t.db); ok {
		return fn(ctx)
	}
	return Transact(ctx, t.db, fn)
}

type txKey struct{}

// txValue is the transaction Transact carries, with the pool it belongs
// to: only statements and businesses of that pool join it. life is the
// context the transaction was begun under, which bounds its end; outer is
// a transaction of another pool that ctx carried already, which stays
// joinable.
type txValue struct {
	ext        sqlx.ExtContext
	owner      *sqlx.DB
	life       context.Context
	outer      *txValue
	savepoints atomic.Int64
}

// ctxTx returns the transaction of pool that ctx carries.
func ctxTx(ctx context.Context, pool *sqlx.DB) (*txValue, bool) {
	v, _ := ctx.Value(txKey{}).(*txValue)
	for ; v != nil; v = v.outer {
		if v.owner == pool {
			return v, true
		}
	}
	return nil, false
}

// inSavepoint runs fn in a savepoint of t: released when fn returns nil,
// rolled back to otherwise, undoing only what fn did. fn's context is
// ctx: the transaction it carries is still t.
func (t *txValue) inSavepoint(ctx context.Context, fn func(ctx context.Context) error) error {
	name := "sqldb_sp_" + strconv.FormatInt(t.savepoints.Add(1), 10)
	if _, err := t.ext.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("begin savepoint: %w", translate(err))
	}
	// Undone even when ctx has ended, within the transaction's own
	// life (its commit deadline): the owner may still go on, or must at
	// least roll back cleanly, and a database that does not answer holds
	// it no longer than the commit would be. Its error is not reported:
	// the owner, told of fn's, rolls back the whole.
	rollback := func() {
		_, _ = t.ext.ExecContext(t.life, "ROLLBACK TO SAVEPOINT "+name)
	}
	defer func() {
		if p := recover(); p != nil {
			rollback()
			panic(p)
		}
	}()

	if err := fn(ctx); err != nil {
		rollback()
		return err
	}
	if _, err := t.ext.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		if ctx.Err() != nil {
			err = errors.Join(err, ctx.Err())
		}
		return fmt.Errorf("commit: %w", translate(err))
	}
	return nil
}

// runner returns where a statement given db runs: in the transaction ctx
// carries when db is that transaction's pool, else db itself.
func runner(ctx context.Context, db sqlx.ExtContext) sqlx.ExtContext {
	var pool *sqlx.DB
	switch d := db.(type) {
	case *sqlx.DB:
		pool = d
	case *DB:
		pool = d.DB
	default:
		return db
	}
	if tx, ok := ctxTx(ctx, pool); ok {
		return tx.ext
	}
	return db
}
