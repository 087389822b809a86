package sqldb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

func newDB(t *testing.T) *sqlx.DB {
	t.Helper()
	db := dbtest.New(t, t.Name()).DB
	if _, err := db.Exec(`CREATE TABLE things (n INTEGER NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func insert(ctx context.Context, db sqlx.ExtContext, n int) error {
	return sqldb.NamedExec(ctx, db, `INSERT INTO things (n) VALUES (:n)`, map[string]any{"n": n})
}

func things(t *testing.T, db *sqlx.DB) []int {
	t.Helper()
	var ns []int
	if err := db.Select(&ns, `SELECT n FROM things ORDER BY n`); err != nil {
		t.Fatal(err)
	}
	return ns
}

// deadlock fails the transaction as Postgres fails the loser of a real
// deadlock.
func deadlock(ctx context.Context, db sqlx.ExtContext) error {
	return sqldb.NamedExec(ctx, db, `DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected'; END $$`, map[string]any{})
}

// TestWithinTranRetriesConflicts: a transaction that loses to a
// concurrent one is run again, three attempts in all, then given up as
// ErrDBConflict; whatever it did in a failed attempt is rolled back.
func TestWithinTranRetriesConflicts(t *testing.T) {
	tests := []struct {
		name      string
		conflicts int // attempts that lose before one can win
		wantRuns  int
		wantErr   error
		wantRows  []int
	}{
		{name: "no conflict runs once", conflicts: 0, wantRuns: 1, wantRows: []int{1}},
		{name: "two conflicts, third attempt commits", conflicts: 2, wantRuns: 3, wantRows: []int{1}},
		{name: "always losing gives up after three", conflicts: 10, wantRuns: 3, wantErr: sqldb.ErrDBConflict, wantRows: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := newDB(t)
			ctx := context.Background()
			runs := 0
			err := sqldb.WithinTran(ctx, sqldb.NewBeginner(db), func(tx sqldb.CommitRollbacker) error {
				runs++
				ext, err := sqldb.ExtContext(tx)
				if err != nil {
					return err
				}
				if err := insert(ctx, ext, 1); err != nil {
					return err
				}
				if runs <= tt.conflicts {
					return deadlock(ctx, ext)
				}
				return nil
			})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("error: got %v, want %v", err, tt.wantErr)
			}
			if runs != tt.wantRuns {
				t.Errorf("runs: got %d, want %d", runs, tt.wantRuns)
			}
			if diff := cmp.Diff(tt.wantRows, things(t, db)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTransactCarriesTheTransaction: under Transact, a statement on the
// pool and a business's own WithinTran both join the one transaction, on
// its one connection, and all of it rolls back together.
func TestTransactCarriesTheTransaction(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	b := sqldb.NewBeginner(db)
	ctx := context.Background()
	errStop := errors.New("stop")

	var pids []int
	pid := func(ctx context.Context) {
		var row struct {
			PID int `db:"pid"`
		}
		if err := sqldb.NamedQueryStruct(ctx, db, `SELECT pg_backend_pid() AS pid`, map[string]any{}, &row); err != nil {
			t.Fatal(err)
		}
		pids = append(pids, row.PID)
	}

	err := sqldb.Transact(ctx, db, func(ctx context.Context) error {
		if err := insert(ctx, db, 1); err != nil { // the pool, joined
			return err
		}
		pid(ctx)
		if err := sqldb.WithinTran(ctx, b, func(tx sqldb.CommitRollbacker) error {
			ext, err := sqldb.ExtContext(tx)
			if err != nil {
				return err
			}
			pid(ctx)
			return insert(ctx, ext, 2)
		}); err != nil {
			return err
		}
		if got := things(t, db); len(got) != 0 {
			t.Errorf("another connection sees %v before the commit", got)
		}
		return errStop
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("Transact: %v", err)
	}
	if len(pids) != 2 || pids[0] != pids[1] {
		t.Errorf("backends: %v, want one", pids)
	}
	if got := things(t, db); len(got) != 0 {
		t.Errorf("rows after the rollback: %v, want none", got)
	}

	if err := sqldb.Transact(ctx, db, func(ctx context.Context) error { return insert(ctx, db, 3) }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{3}, things(t, db)); diff != "" {
		t.Errorf("rows after a commit (-want +got):\n%s", diff)
	}
}

// TestErrorsAreClassified: the database's own failures become
// ErrDBUnavailable (try later) or ErrDBConflict; a client's mistake stays
// what it is.
func TestErrorsAreClassified(t *testing.T) {
	db := newDB(t)
	if err := insert(context.Background(), db, 1); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		run  func(ctx context.Context, ext sqlx.ExtContext) error
		want error
	}{
		{
			name: "statement timeout",
			run: func(ctx context.Context, ext sqlx.ExtContext) error {
				if err := sqldb.NamedExec(ctx, ext, `SET LOCAL statement_timeout = 20`, map[string]any{}); err != nil {
					return err
				}
				return sqldb.NamedExec(ctx, ext, `SELECT pg_sleep(2)`, map[string]any{})
			},
			want: sqldb.ErrDBUnavailable,
		},
		{
			name: "request deadline",
			run: func(ctx context.Context, ext sqlx.ExtContext) error {
				ctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
				defer cancel()
				return sqldb.NamedExec(ctx, ext, `SELECT pg_sleep(2)`, map[string]any{})
			},
			want: sqldb.ErrDBUnavailable,
		},
		{
			name: "deadlock",
			run:  deadlock,
			want: sqldb.ErrDBConflict,
		},
		{
			name: "duplicate stays a duplicate",
			run:  func(ctx context.Context, ext sqlx.ExtContext) error { return insert(ctx, ext, 1) },
			want: sqldb.ErrDBDuplicatedEntry,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			err := sqldb.WithinTran(ctx, sqldb.NewBeginner(db), func(tx sqldb.CommitRollbacker) error {
				ext, err := sqldb.ExtContext(tx)
				if err != nil {
					return err
				}
				return tt.run(ctx, ext)
			})
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// TestCommitDeadline: a COMMIT may finish after the request's deadline,
// until the commit deadline, so work that got that far is not thrown away;
// without one the deadline ends the transaction.
func TestCommitDeadline(t *testing.T) {
	tests := []struct {
		name      string
		grace     time.Duration
		wantRows  []int
		wantError error
	}{
		{name: "within the grace the commit lands", grace: 5 * time.Second, wantRows: []int{1}},
		{name: "without a grace the deadline ends it", grace: 0, wantRows: nil, wantError: sqldb.ErrDBUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := newDB(t)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			if tt.grace > 0 {
				ctx = sqldb.WithCommitDeadline(ctx, time.Now().Add(tt.grace))
			}
			err := sqldb.WithinTran(ctx, sqldb.NewBeginner(db), func(tx sqldb.CommitRollbacker) error {
				ext, err := sqldb.ExtContext(tx)
				if err != nil {
					return err
				}
				if err := insert(ctx, ext, 1); err != nil {
					return err
				}
				<-ctx.Done() // the request's deadline passes before the commit
				return nil
			})
			if !errors.Is(err, tt.wantError) || (tt.wantError == nil && err != nil) {
				t.Errorf("error: got %v, want %v", err, tt.wantError)
			}
			if diff := cmp.Diff(tt.wantRows, things(t, db)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTransactNestsSavepoints: under Transact a business's own
// transaction is a savepoint, so its failure undoes its own writes only
// and the whole can go on and commit.
func TestTransactNestsSavepoints(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	b := sqldb.NewBeginner(db)
	ctx := context.Background()
	errInner := errors.New("inner step failed")

	err := sqldb.Transact(ctx, db, func(ctx context.Context) error {
		if err := insert(ctx, db, 1); err != nil {
			return err
		}
		err := sqldb.WithinTran(ctx, b, func(tx sqldb.CommitRollbacker) error {
			ext, err := sqldb.ExtContext(tx)
			if err != nil {
				return err
			}
			if err := insert(ctx, ext, 2); err != nil {
				return err
			}
			return errInner
		})
		if !errors.Is(err, errInner) {
			t.Errorf("inner: %v", err)
		}
		// A failed statement inside a savepoint leaves the whole usable.
		err = sqldb.WithinTran(ctx, b, func(tx sqldb.CommitRollbacker) error {
			ext, err := sqldb.ExtContext(tx)
			if err != nil {
				return err
			}
			return insert(ctx, ext, 1) // a duplicate
		})
		if !errors.Is(err, sqldb.ErrDBDuplicatedEntry) {
			t.Errorf("inner duplicate: %v", err)
		}
		return insert(ctx, db, 3)
	})
	if err != nil {
		t.Fatalf("Transact: %v", err)
	}
	if diff := cmp.Diff([]int{1, 3}, things(t, db)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
