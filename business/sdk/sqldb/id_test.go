package sqldb_test

import (
	"slices"
	"testing"

	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/go-cmp/cmp"
)

func TestNewIDOrdersByCreation(t *testing.T) {
	ids := make([]string, 1000)
	for i := range ids {
		id := sqldb.NewID()
		if v := id.Version(); v != 7 {
			t.Fatalf("version %d, want 7", v)
		}
		ids[i] = id.String()
	}
	// Many are made in one millisecond: they still sort in the order
	// made, as Postgres sorts uuids (bytewise, as their text does).
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	if diff := cmp.Diff(ids, sorted); diff != "" {
		t.Errorf("keys not in creation order (-made +sorted):\n%s", diff)
	}
	if len(slices.Compact(sorted)) != len(ids) {
		t.Error("a key was made twice")
	}
}
