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

// CommitRollbacker is a transaction as the business layer sees it: it can
// be finished, and stores can run statements in it.
type CommitRollbacker interface {
	Commit() error
	Rollback() error
}

// Beginner starts transactions. The business layer depends on this, never
// on *sqlx.DB, so it knows nothing of SQL.
type Beginner interface {
	Begin(ctx context.Context) (CommitRollbacker, error)
}

// DBBeginner adapts a pool to Beginner.
type DBBeginner struct {
	DB *sqlx.DB
}

// NewBeginner returns a Beginner over db.
func NewBeginner(db *sqlx.DB) *DBBeginner {
	return &DBBeginner{DB: db}
}

// Begin starts a transaction bound to ctx: when ctx ends before Commit the
// driver rolls it back. When ctx carries a transaction of this pool (see
// Transact), the new one is a savepoint in it: committing releases the
// savepoint, rolling back undoes only what was done since it, and the
// transaction's owner finishes the whole.
func (b *DBBeginner) Begin(ctx context.Context) (CommitRollbacker, error) {
	if tx, ok := ctxTx(ctx); ok && tx.owner == b.DB {
		return tx.savepoint(ctx)
	}
	// A request already past its deadline or abandoned takes no
	// connection: the transaction below outlives ctx's cancellation.
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("begin transaction: %w", translate(err))
	}
	txCtx, cancel := txContext(ctx)
	tx, err := b.DB.BeginTxx(txCtx, nil)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("begin transaction: %w", translate(err))
	}
	return ownTx{Tx: tx, cancel: cancel}, nil
}

// ownTx is a transaction DBBeginner began, with the context it began it
// under, which it releases when the transaction ends.
type ownTx struct {
	*sqlx.Tx
	cancel context.CancelFunc
}

func (t ownTx) Commit() error {
	defer t.cancel()
	return t.Tx.Commit()
}

func (t ownTx) Rollback() error {
	defer t.cancel()
	return t.Tx.Rollback()
}

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

// ExtContext returns the statement runner inside tx, for a store's
// NewWithTx.
func ExtContext(tx CommitRollbacker) (sqlx.ExtContext, error) {
	for {
		switch t := tx.(type) {
		case nestedTx:
			tx = t.CommitRollbacker
			continue
		case *txValue:
			return t.ext, nil
		case savepointTx:
			return t.t.ext, nil
		}
		break
	}
	ec, ok := tx.(sqlx.ExtContext)
	if !ok {
		return nil, fmt.Errorf("transaction of type %T cannot run statements", tx)
	}
	return ec, nil
}

// maxAttempts bounds how often WithinTran runs a transaction that loses to
// a concurrent one.
const maxAttempts = 3

var txRetries atomic.Uint64

// WithinTran runs fn in a new transaction: committed when fn returns nil,
// rolled back otherwise. A failed commit is returned, never lost.
//
// A transaction that fails with a serialization failure or a deadlock is
// rolled back and run again, up to three attempts in all with a short,
// growing, jittered pause between them; after that the error is
// ErrDBConflict. fn may therefore run more than once and must have no
// effect outside the transaction. A transaction nested in another (a
// savepoint under Transact, or InTx) is never retried here: its owner
// retries the whole.
func WithinTran(ctx context.Context, b Beginner, fn func(tx CommitRollbacker) error) error {
	for attempt := 1; ; attempt++ {
		err, nested := runTran(ctx, b, fn)
		if err == nil || nested || attempt == maxAttempts || !errors.Is(err, ErrDBConflict) {
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

func runTran(ctx context.Context, b Beginner, fn func(tx CommitRollbacker) error) (err error, nested bool) {
	tx, err := b.Begin(ctx)
	if err != nil {
		return err, false
	}
	switch tx.(type) {
	case nestedTx, savepointTx:
		nested = true
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !nested {
			return errors.Join(err, fmt.Errorf("rollback: %w", translate(rbErr))), nested
		}
		return err, nested
	}
	if err := tx.Commit(); err != nil {
		if ctx.Err() != nil {
			// database/sql rolls back a transaction whose context ended,
			// and then reports only that it is done.
			err = errors.Join(err, ctx.Err())
		}
		return fmt.Errorf("commit: %w", translate(err)), nested
	}
	return nil, nested
}

// Transact runs fn in a transaction of db carried by the context it is
// given: every business and store called with that context joins it,
// whether it begins a transaction of its own (through a DBBeginner of db,
// which then becomes a savepoint) or runs a statement on db's pool. The
// whole commits when fn returns nil and rolls back otherwise, and it is
// retried as WithinTran says.
//
// A request that runs in one transaction therefore holds one connection,
// never a second: two requests each holding a connection while waiting for
// another cannot exhaust the pool between them.
func Transact(ctx context.Context, db *sqlx.DB, fn func(ctx context.Context) error) error {
	return WithinTran(ctx, NewBeginner(db), func(tx CommitRollbacker) error {
		ext, err := ExtContext(tx)
		if err != nil {
			return err
		}
		return fn(context.WithValue(ctx, txKey{}, &txValue{CommitRollbacker: tx, ext: ext, owner: db}))
	})
}

type txKey struct{}

// txValue is the transaction Transact carries, with the pool it belongs
// to: only statements and businesses of that pool join it.
type txValue struct {
	CommitRollbacker
	ext        sqlx.ExtContext
	owner      *sqlx.DB
	savepoints atomic.Int64
}

func ctxTx(ctx context.Context) (*txValue, bool) {
	v, ok := ctx.Value(txKey{}).(*txValue)
	return v, ok
}

// savepoint starts a nested transaction in t.
func (t *txValue) savepoint(ctx context.Context) (CommitRollbacker, error) {
	name := "sqldb_sp_" + strconv.FormatInt(t.savepoints.Add(1), 10)
	if _, err := t.ext.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return nil, fmt.Errorf("begin savepoint: %w", translate(err))
	}
	return savepointTx{t: t, name: name, ctx: ctx}, nil
}

// savepointTx is a transaction nested in a Transact one.
type savepointTx struct {
	t    *txValue
	name string
	ctx  context.Context
}

func (s savepointTx) Commit() error {
	if _, err := s.t.ext.ExecContext(s.ctx, "RELEASE SAVEPOINT "+s.name); err != nil {
		return translate(err)
	}
	return nil
}

func (s savepointTx) Rollback() error {
	if _, err := s.t.ext.ExecContext(context.WithoutCancel(s.ctx), "ROLLBACK TO SAVEPOINT "+s.name); err != nil {
		return translate(err)
	}
	return nil
}

// runner returns where a statement given db runs: in the transaction ctx
// carries when db is that transaction's pool, else db itself (a store
// already bound to a transaction keeps it).
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
	if tx, ok := ctxTx(ctx); ok && tx.owner == pool {
		return tx.ext
	}
	return db
}

// InTx returns a Beginner whose transactions are tx itself: a business
// bound to tx with NewWithTx runs its own WithinTran inside the caller's
// transaction, and only the caller commits or rolls back.
func InTx(tx CommitRollbacker) Beginner {
	return nested{tx: tx}
}

type nested struct {
	tx CommitRollbacker
}

func (n nested) Begin(context.Context) (CommitRollbacker, error) {
	return nestedTx{CommitRollbacker: n.tx}, nil
}

// nestedTx leaves finishing to the transaction's owner. A failed inner step
// still fails the whole: its error reaches the owner, who rolls back.
type nestedTx struct {
	CommitRollbacker
}

func (nestedTx) Commit() error   { return nil }
func (nestedTx) Rollback() error { return nil }
