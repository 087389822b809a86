package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"
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
			err := sqldb.Transact(ctx, db, func(ctx context.Context) error {
				runs++
				if err := insert(ctx, db, 1); err != nil {
					return err
				}
				if runs <= tt.conflicts {
					return deadlock(ctx, db)
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

// TestSavepointsAreRetriedByTheirOwner: a nested Transact that loses a
// conflict is not run again on its own, inside a transaction that has
// already lost: its error reaches the owner, which runs the whole again.
func TestSavepointsAreRetriedByTheirOwner(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := context.Background()

	type runs struct{ Outer, Inner int }
	var got runs
	err := sqldb.Transact(ctx, db, func(ctx context.Context) error {
		got.Outer++
		if err := insert(ctx, db, 1); err != nil {
			return err
		}
		return sqldb.Transact(ctx, db, func(ctx context.Context) error {
			got.Inner++
			if err := insert(ctx, db, 2); err != nil {
				return err
			}
			if got.Inner == 1 {
				return deadlock(ctx, db)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatalf("Transact: %v", err)
	}
	if diff := cmp.Diff(runs{Outer: 2, Inner: 2}, got); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	checkThings(t, db, "rows", []int{1, 2})
}

// backend returns the Postgres backend a statement given db runs on under
// ctx.
func backend(t *testing.T, ctx context.Context, db *sqlx.DB) int {
	t.Helper()
	var row struct {
		PID int `db:"pid"`
	}
	if err := sqldb.NamedQueryStruct(ctx, db, `SELECT pg_backend_pid() AS pid`, map[string]any{}, &row); err != nil {
		t.Fatal(err)
	}
	return row.PID
}

// TestTransactCarriesTheTransaction: under Transact, a statement on the
// pool, a nested Transact and a Transactor's Transact and Join all join
// the one transaction, on its one connection, and all of it rolls back
// together.
func TestTransactCarriesTheTransaction(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	tr := sqldb.NewTransactor(db)
	ctx := context.Background()
	errStop := errors.New("stop")

	var pids []int
	err := sqldb.Transact(ctx, db, func(ctx context.Context) error {
		if err := insert(ctx, db, 1); err != nil { // the pool, joined
			return err
		}
		pids = append(pids, backend(t, ctx, db))
		if err := sqldb.Transact(ctx, db, func(ctx context.Context) error {
			pids = append(pids, backend(t, ctx, db))
			return insert(ctx, db, 2)
		}); err != nil {
			return err
		}
		if err := tr.Transact(ctx, func(ctx context.Context) error {
			pids = append(pids, backend(t, ctx, db))
			return insert(ctx, db, 3)
		}); err != nil {
			return err
		}
		if err := tr.Join(ctx, func(ctx context.Context) error {
			pids = append(pids, backend(t, ctx, db))
			return insert(ctx, db, 4)
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
	if len(pids) != 4 || pids[1] != pids[0] || pids[2] != pids[0] || pids[3] != pids[0] {
		t.Errorf("backends: %v, want four times one", pids)
	}
	if got := things(t, db); len(got) != 0 {
		t.Errorf("rows after the rollback: %v, want none", got)
	}

	if err := sqldb.Transact(ctx, db, func(ctx context.Context) error { return insert(ctx, db, 3) }); err != nil {
		t.Fatal(err)
	}
	checkThings(t, db, "rows after a commit", []int{3})
}

// TestTransactKeepsToItsPool: a transaction of one pool in ctx is no
// transaction of another: Transact of the other pool begins its own,
// and the other pool's statements run outside the first. (A pool is its
// *sqlx.DB: the other one here shares the first's connections, as two
// pools of one database share the server.)
func TestTransactKeepsToItsPool(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	other := sqlx.NewDb(db.DB, db.DriverName())
	ctx := context.Background()
	errStop := errors.New("stop")

	err := sqldb.Transact(ctx, db, func(ctx context.Context) error {
		if err := insert(ctx, db, 1); err != nil {
			return err
		}
		if err := sqldb.Transact(ctx, other, func(ctx context.Context) error {
			if backend(t, ctx, other) == backend(t, ctx, db) {
				t.Errorf("the other pool's transaction runs on the first's connection")
			}
			// The first pool's transaction stays in the context under
			// the other's: a statement on the first pool joins it.
			if err := insert(ctx, db, 3); err != nil {
				return err
			}
			return insert(ctx, other, 2)
		}); err != nil {
			return err
		}
		return errStop
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("Transact: %v", err)
	}
	checkThings(t, db, "rows: the other pool's commit stays, the first's rollback goes (3 with it)", []int{2})
}

// TestJoin: Join inside a transaction takes no savepoint, so its failure
// is the caller's to roll back; outside one it runs in a transaction of
// its own, committed or rolled back whole.
func TestJoin(t *testing.T) {
	t.Parallel()
	errJoin := errors.New("joined step failed")

	tests := []struct {
		name     string
		run      func(ctx context.Context, db *sqlx.DB) error
		wantErr  error
		wantCode string // the Postgres error code of wantErr
		wantRows []int
	}{
		{
			name: "alone, committed",
			run: func(ctx context.Context, db *sqlx.DB) error {
				return sqldb.NewTransactor(db).Join(ctx, func(ctx context.Context) error {
					if err := insert(ctx, db, 1); err != nil {
						return err
					}
					return insert(ctx, db, 2)
				})
			},
			wantRows: []int{1, 2},
		},
		{
			name: "alone, rolled back",
			run: func(ctx context.Context, db *sqlx.DB) error {
				return sqldb.NewTransactor(db).Join(ctx, func(ctx context.Context) error {
					if err := insert(ctx, db, 1); err != nil {
						return err
					}
					return errJoin
				})
			},
			wantErr: errJoin,
		},
		{
			// Without a savepoint a failed statement leaves the whole
			// transaction aborted: the caller cannot go on as if
			// nothing happened, and whatever it does it rolls back.
			name: "joined, a failed statement aborts the caller",
			run: func(ctx context.Context, db *sqlx.DB) error {
				return sqldb.Transact(ctx, db, func(ctx context.Context) error {
					if err := insert(ctx, db, 1); err != nil {
						return err
					}
					err := sqldb.NewTransactor(db).Join(ctx, func(ctx context.Context) error {
						return insert(ctx, db, 1) // a duplicate
					})
					if !errors.Is(err, sqldb.ErrDBDuplicatedEntry) {
						return fmt.Errorf("joined duplicate: got %v", err)
					}
					return insert(ctx, db, 3)
				})
			},
			wantCode: "25P02", // in_failed_sql_transaction
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := newDB(t)
			err := tt.run(context.Background(), db)
			var pgErr *pgconn.PgError
			switch {
			case tt.wantCode != "":
				if !errors.As(err, &pgErr) || pgErr.Code != tt.wantCode {
					t.Errorf("error: got %v, want Postgres error %s", err, tt.wantCode)
				}
			default:
				checkErr(t, err, tt.wantErr)
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
			err := sqldb.Transact(ctx, db, func(ctx context.Context) error {
				return tt.run(ctx, db)
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
			err := sqldb.Transact(ctx, db, func(ctx context.Context) error {
				if err := insert(ctx, db, 1); err != nil {
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

// TestTransactNestsSavepoints: a Transact inside another is a savepoint,
// so its failure undoes its own writes only and the whole can go on and
// commit.
func TestTransactNestsSavepoints(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := context.Background()
	errInner := errors.New("inner step failed")

	err := sqldb.Transact(ctx, db, func(ctx context.Context) error {
		if err := insert(ctx, db, 1); err != nil {
			return err
		}
		err := sqldb.Transact(ctx, db, func(ctx context.Context) error {
			if err := insert(ctx, db, 2); err != nil {
				return err
			}
			// Savepoints nest in savepoints: this one's release is undone
			// with the one around it.
			if err := sqldb.Transact(ctx, db, func(ctx context.Context) error { return insert(ctx, db, 4) }); err != nil {
				return err
			}
			return errInner
		})
		if !errors.Is(err, errInner) {
			t.Errorf("inner: %v", err)
		}
		// A failed statement inside a savepoint leaves the whole usable.
		err = sqldb.Transact(ctx, db, func(ctx context.Context) error {
			return insert(ctx, db, 1) // a duplicate
		})
		if !errors.Is(err, sqldb.ErrDBDuplicatedEntry) {
			t.Errorf("inner duplicate: %v", err)
		}
		return insert(ctx, db, 3)
	})
	if err != nil {
		t.Fatalf("Transact: %v", err)
	}
	checkThings(t, db, "rows", []int{1, 3})
}
