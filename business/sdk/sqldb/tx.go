package sqldb

import (
	"context"
	"errors"
	"fmt"

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
// driver rolls it back.
func (b *DBBeginner) Begin(ctx context.Context) (CommitRollbacker, error) {
	tx, err := b.DB.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	return tx, nil
}

// ExtContext returns the statement runner inside tx, for a store's
// NewWithTx.
func ExtContext(tx CommitRollbacker) (sqlx.ExtContext, error) {
	if n, ok := tx.(nestedTx); ok {
		tx = n.ext()
	}
	ec, ok := tx.(sqlx.ExtContext)
	if !ok {
		return nil, fmt.Errorf("transaction of type %T cannot run statements", tx)
	}
	return ec, nil
}

// WithinTran runs fn in a new transaction: committed when fn returns nil,
// rolled back otherwise. A failed commit is returned, never lost.
func WithinTran(ctx context.Context, b Beginner, fn func(tx CommitRollbacker) error) (err error) {
	tx, err := b.Begin(ctx)
	if err != nil {
		return err
	}

	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()

	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}

	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
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

// ExtContext of a nested transaction is the outer one's.
func (t nestedTx) ext() CommitRollbacker { return t.CommitRollbacker }
