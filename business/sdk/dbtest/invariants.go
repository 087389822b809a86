package dbtest

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/jmoiron/sqlx"
)

// CheckInvariants fails t for every breach in db of the invariants, each a
// query by its name that returns one line per breach. A domain keeps its
// own (salebus.Invariants): the tests that cut off, retry and race its
// requests check that they held.
func CheckInvariants(t testing.TB, db sqlx.QueryerContext, invariants map[string]string) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(invariants)) {
		var breaches []string
		if err := sqlx.SelectContext(context.Background(), db, &breaches, invariants[name]); err != nil {
			t.Fatalf("dbtest: check %q: %v", name, err)
		}
		for _, b := range breaches {
			t.Errorf("invariant broken: %s: %s", name, b)
		}
	}
}
