package migrate_test

import (
	"context"
	"regexp"
	"sync"
	"testing"

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
