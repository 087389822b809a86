package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/go-cmp/cmp"
)

// TestStringArrayScan: a text[] column reads back as the strings Postgres
// holds, quoted or not, and NULL as a nil slice.
func TestStringArrayScan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sql  string
		want sqldb.StringArray
	}{
		{"roles", `ARRAY['ADMIN', 'USER']`, sqldb.StringArray{"ADMIN", "USER"}},
		{"empty", `CAST('{}' AS text[])`, sqldb.StringArray{}},
		{"null", `CAST(NULL AS text[])`, nil},
		{"quoted", `ARRAY['a,b', 'say "hi"', ' x ', 'back\slash', 'NULL', '']`, sqldb.StringArray{"a,b", `say "hi"`, " x ", `back\slash`, "NULL", ""}},
		{"not ASCII", `ARRAY['café', '日本']`, sqldb.StringArray{"café", "日本"}},
	}
	db := dbtest.New(t, t.Name()).DB
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				V sqldb.StringArray `db:"v"`
			}
			if err := sqldb.NamedQueryStruct(ctx, db, `SELECT `+tt.sql+` AS v`, map[string]any{}, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.V); diff != "" {
				t.Errorf("scanned (-want +got):\n%s", diff)
			}
			if (tt.want == nil) != (got.V == nil) {
				t.Errorf("nil: got %v, want %v", got.V == nil, tt.want == nil)
			}
		})
	}
}
