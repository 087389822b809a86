package migrate_test

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

// emptyDatabase returns the URL of a database with no tables. dbtest's
// databases come migrated, so the schema is dropped and recreated.
func emptyDatabase(t *testing.T) string {
	t.Helper()
	d := dbtest.New(t, t.Name())
	if _, err := d.DB.Exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
		t.Fatalf("empty the database: %v", err)
	}
	d.DB.Close()
	return d.URL
}

func open(t *testing.T, url string) *sqlx.DB {
	t.Helper()
	db, err := sqldb.OpenURL(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db.DB
}

// schema is what a migration run leaves behind.
type schema struct {
	UsersTables int // tables named users
	Versions    int // rows in goose's version table for applied migrations
	Distinct    int // distinct versions among them
}

func readSchema(t *testing.T, db *sqlx.DB) schema {
	t.Helper()
	var s schema
	err := db.QueryRow(`SELECT
		(SELECT count(*) FROM pg_tables WHERE tablename = 'users'),
		(SELECT count(*) FROM goose_db_version WHERE version_id > 0),
		(SELECT count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0)`).
		Scan(&s.UsersTables, &s.Versions, &s.Distinct)
	if err != nil {
		t.Fatalf("read schema: %v", err)
	}
	return s
}

func TestMigrate(t *testing.T) {
	tests := []struct {
		name string
		runs int  // Migrate calls
		all  bool // run them at once rather than one after another
	}{
		{name: "once", runs: 1},
		{name: "twice in a row is a no-op the second time", runs: 2},
		{name: "concurrently from separate pools", runs: 3, all: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := emptyDatabase(t)
			ctx := context.Background()

			errs := make([]error, tt.runs)
			var wg sync.WaitGroup
			for i := range tt.runs {
				db := open(t, url) // each its own pool, as separate processes would have
				if tt.all {
					wg.Go(func() { errs[i] = migrate.Migrate(ctx, db) })
				} else {
					errs[i] = migrate.Migrate(ctx, db)
				}
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("run %d: %v", i, err)
				}
			}

			got := readSchema(t, open(t, url))
			if got.Versions == 0 {
				t.Fatalf("no migration recorded: %+v", got)
			}
			want := schema{UsersTables: 1, Versions: got.Versions, Distinct: got.Versions}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("schema after %d runs (-want +got):\n%s", tt.runs, diff)
			}
		})
	}
}

func TestHashIsShortAndStable(t *testing.T) {
	h := migrate.Hash()
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(h) {
		t.Errorf("Hash() = %q, want 12 hex digits (it names a database)", h)
	}
	if again := migrate.Hash(); again != h {
		t.Errorf("Hash() changed between calls: %q then %q", h, again)
	}
}

// TestMigrateWaitsOutALockedTable: a migration that gives up waiting for
// a table's lock (a transaction holds the table) is tried again, and
// applies once the table is free: the connection's lock_timeout is a few
// seconds, so the table's other queries are not held up behind it for
// long, and the deploy still migrates.
func TestMigrateWaitsOutALockedTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := emptyDatabase(t)
	db := open(t, url) // lock_timeout 2s, sqldb's default
	if err := migrate.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	// Back to before 00015, whose index needs products free of writers.
	for _, q := range []string{
		`DROP TABLE sale_cancellations`,
		`DROP INDEX products_key_ranges_idx`,
		`DELETE FROM goose_db_version WHERE version_id >= 15`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}

	// A writer holds products until the first attempt has given up.
	holder, err := open(t, url).BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.ExecContext(ctx, `LOCK TABLE products IN ROW EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	var waits []int
	err = migrate.Migrate(ctx, db, migrate.OnLockWait(func(attempt int, wait time.Duration, err error) {
		waits = append(waits, attempt)
		holder.Rollback()
	}))
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if diff := cmp.Diff([]int{1}, waits); diff != "" {
		t.Errorf("attempts that waited for the lock (-want +got):\n%s", diff)
	}
	var applied int
	if err := db.GetContext(ctx, &applied, `SELECT count(*) FROM goose_db_version WHERE version_id IN (15, 16)`); err != nil {
		t.Fatal(err)
	}
	if applied != 2 {
		t.Errorf("%d of migrations 15 and 16 applied, want both", applied)
	}
}
