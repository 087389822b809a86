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

// checkThings fails t unless the things table holds want, in order; what
// says which rows they are.
func checkThings(t *testing.T, db *sqlx.DB, what string, want []int) {
	t.Helper()
	if diff := cmp.Diff(want, things(t, db)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// checkErr fails t unless err is want (nil: no error).
func checkErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("error: got %v, want %v", err, want)
	}
}

// deadlock fails the transaction as Postgres fails the loser of a real
// deadlock.
func deadlock(ctx context.Context, db sqlx.ExtContext) error {
	return sqldb.NamedExec(ctx, db, `DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected'; END $$`, map[string]any{})
}

// TestTransactCommitsOrRollsBack: what fn wrote on tx is there after a nil
// return and gone after an error or a panic, and was never seen outside
// the transaction before its commit.
func TestTransactCommitsOrRollsBack(t *testing.T) {
	errFn := errors.New("fn fails")
	tests := []struct {
		name     string
		fn       func(tx *sqlx.Tx) error
		wantErr  error
		wantRows []int
	}{
		{"nil commits", func(*sqlx.Tx) error { return nil }, nil, []int{1, 2}},
		{"an error rolls back", func(*sqlx.Tx) error { return errFn }, errFn, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := newDB(t)
			ctx := context.Background()
			err := sqldb.Transact(ctx, db, func(tx *sqlx.Tx) error {
				for _, n := range []int{1, 2} {
					if err := insert(ctx, tx, n); err != nil {
						return err
					}
				}
				if got := things(t, db); len(got) != 0 {
					t.Errorf("rows seen outside the transaction before its commit: %v", got)
				}
				return tt.fn(tx)
			})
			checkErr(t, err, tt.wantErr)
			checkThings(t, db, "rows", tt.wantRows)
		})
	}

	t.Run("a panic rolls back and goes on", func(t *testing.T) {
		db := newDB(t)
		defer func() {
			if recover() == nil {
				t.Error("the panic was swallowed")
			}
			checkThings(t, db, "rows", nil)
		}()
		_ = sqldb.Transact(context.Background(), db, func(tx *sqlx.Tx) error {
			if err := insert(context.Background(), tx, 1); err != nil {
				return err
			}
			panic("boom")
		})
	})
}

// TestTransactRetriesConflicts: a transaction that loses to a concurrent
// one is run again, three attempts in all, then given up as
// ErrDBConflict; whatever it did in a failed attempt is rolled back.
func TestTransactRetriesConflicts(t *testing.T) {
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
			err := sqldb.Transact(ctx, db, func(tx *sqlx.Tx) error {
				runs++
				if err := insert(ctx, tx, 1); err != nil {
					return err
				}
				if runs <= tt.conflicts {
					return deadlock(ctx, tx)
				}
				return nil
			})
			checkErr(t, err, tt.wantErr)
			if runs != tt.wantRuns {
				t.Errorf("runs: got %d, want %d", runs, tt.wantRuns)
			}
			checkThings(t, db, "rows", tt.wantRows)
		})
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
			err := sqldb.Transact(ctx, db, func(tx *sqlx.Tx) error {
				return tt.run(ctx, tx)
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
			err := sqldb.Transact(ctx, db, func(tx *sqlx.Tx) error {
				if err := insert(ctx, tx, 1); err != nil {
					return err
				}
				<-ctx.Done() // the request's deadline passes before the commit
				return nil
			})
			checkErr(t, err, tt.wantError)
			checkThings(t, db, "rows", tt.wantRows)
		})
	}
}
