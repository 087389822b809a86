package migrate_test

import (
	"context"
	"testing"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/google/go-cmp/cmp"
)

func TestSeedGivesEachSeedUserProductsOnce(t *testing.T) {
	d := dbtest.New(t, t.Name())
	ctx := context.Background()

	for i := range 2 {
		if err := migrate.Seed(ctx, d.DB); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
	}

	type owned struct {
		Email string `db:"email"`
		Count int    `db:"count"`
	}
	var got []owned
	const q = `SELECT u.email, count(p.product_id) AS count FROM users u LEFT JOIN products p ON p.user_id = u.user_id GROUP BY u.email ORDER BY u.email`
	if err := d.DB.SelectContext(ctx, &got, q); err != nil {
		t.Fatalf("select: %v", err)
	}
	want := []owned{{Email: "admin@example.com", Count: 2}, {Email: "user@example.com", Count: 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("seeded products per user (-want +got):\n%s", diff)
	}
}
