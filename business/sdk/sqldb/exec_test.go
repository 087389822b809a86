package sqldb_test

import (
	"context"
	"errors"
	"testing"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/go-cmp/cmp"
)

// TestNamedQueryEach: every row reaches fn in the query's order, and an
// error of fn stops the rows there and comes back as it is.
func TestNamedQueryEach(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name()).DB
	const q = `SELECT n FROM generate_series(1, :last) AS n ORDER BY n`
	type row struct {
		N int `db:"n"`
	}
	errStop := errors.New("stop")

	tests := []struct {
		name    string
		stopAt  int // fn fails at this row; 0 never
		want    int // rows fn saw
		wantErr error
	}{
		{name: "all rows in order", want: 5000},
		{name: "fn's error stops the rows", stopAt: 10, want: 10, wantErr: errStop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := 0
			err := sqldb.NamedQueryEach(context.Background(), db, q, map[string]any{"last": 5000}, func(r row) error {
				seen++
				if r.N != seen {
					t.Fatalf("row %d is %d", seen, r.N)
				}
				if seen == tt.stopAt {
					return errStop
				}
				return nil
			})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, seen); diff != "" {
				t.Errorf("rows seen (-want +got):\n%s", diff)
			}
		})
	}
}
