package migrate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/google/go-cmp/cmp"
)

// checkSeed runs the seed twice on a new database and reads q into a []T
// after each run: it must be want both times, what the seed makes once.
func checkSeed[T any](t *testing.T, q string, want []T) {
	t.Helper()
	d := dbtest.New(t, t.Name())
	ctx := context.Background()
	for i := range 2 {
		if err := migrate.Seed(ctx, d.DB); err != nil {
			t.Fatalf("seed %d: %v", i+1, err)
		}
		var got []T
		if err := d.DB.SelectContext(ctx, &got, q); err != nil {
			t.Fatalf("select: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("after seed %d (-want +got):\n%s", i+1, diff)
		}
	}
}

func TestSeedTwiceGivesTheSeedUsersOnce(t *testing.T) {
	checkSeed(t, `SELECT email FROM users ORDER BY email`, []string{"admin@example.com", "user@example.com"})
}

func TestSeedGivesEachSeedUserProductsOnce(t *testing.T) {
	type owned struct {
		Email string `db:"email"`
		Count int    `db:"count"`
	}
	checkSeed(t, `SELECT u.email, count(p.product_id) AS count FROM users u LEFT JOIN products p ON p.user_id = u.user_id GROUP BY u.email ORDER BY u.email`,
		[]owned{{Email: "admin@example.com", Count: 2}, {Email: "user@example.com", Count: 2}})
}

// TestSeedSalesTakeStockOnce checks that the seeded sales are there once
// and that their quantities left the stock once, however often the seed
// runs.
func TestSeedSalesTakeStockOnce(t *testing.T) {
	type stock struct {
		Name     string `db:"name"`
		Quantity int    `db:"quantity"`
		Sold     int    `db:"sold"`
	}
	// The products seed lists the stock before any sale; the sales seed
	// takes what it sold out of it.
	checkSeed(t, `
		SELECT p.name, p.quantity, COALESCE(sum(s.quantity), 0) AS sold
		FROM products p LEFT JOIN sales s ON s.product_id = p.product_id
		GROUP BY p.product_id, p.name, p.quantity ORDER BY p.name`,
		[]stock{
			{Name: "Board Games", Quantity: 3, Sold: 0},
			{Name: "Comic Books", Quantity: 40, Sold: 2},
			{Name: "McDonalds Toys", Quantity: 115, Sold: 5},
			{Name: "Vinyl Records", Quantity: 14, Sold: 1},
		})
}

// TestSeedOnAnotherSchemaSaysSo: a seed that fails on a schema other
// migration files made says so, instead of only naming the table it
// missed: a generated domain taken out again leaves its version, and the
// next domain takes its number. A database never migrated is told so too.
func TestSeedOnAnotherSchemaSaysSo(t *testing.T) {
	tests := []struct {
		name  string
		setup []string
		want  string
		// neverMigrated: the database has no version table before the
		// seed, nor after it.
		neverMigrated bool
	}{
		{name: "the database past the last migration",
			setup: []string{`DROP TABLE audits`, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99, true)`},
			want:  "the database records migration 99, past this build's last"},
		{name: "a number recorded for another file",
			setup: []string{`DROP TABLE audits`},
			want:  "yet lacks what the seed fills: other files of those numbers made it"},
		{name: "a database never migrated",
			setup:         []string{`DROP SCHEMA public CASCADE`, `CREATE SCHEMA public`},
			want:          "the database has never been migrated: migrate it first",
			neverMigrated: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dbtest.New(t, t.Name())
			ctx := context.Background()
			for _, q := range tt.setup {
				if _, err := d.DB.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if err := migrate.Seed(ctx, d.DB); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("seed: got %v, want it to say %q", err, tt.want)
			}
			// The hint only reads: a database never migrated gains no
			// empty version table from a failed seed.
			var versions *string
			if err := d.DB.QueryRowContext(ctx, `SELECT to_regclass('goose_db_version')::text`).Scan(&versions); err != nil {
				t.Fatal(err)
			}
			if got, want := versions != nil, !tt.neverMigrated; got != want {
				t.Errorf("goose_db_version exists after the seed: %v, want %v", got, want)
			}
		})
	}
}
