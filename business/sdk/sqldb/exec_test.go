package sqldb_test

import (
	"context"
	"errors"
	"testing"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"
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

// TestQueryPagePlans: a page and its count come from one statement; a
// filtered list is sent unnamed, so Postgres plans it for its values on
// every run instead of settling on a generic plan after five, while a
// list without a filter keeps its prepared statement.
func TestQueryPagePlans(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name()).DB
	type row struct {
		sqldb.PageKey
		N int `db:"n"`
	}
	filtered := sqldb.NewWhere()
	filtered.Add("n >= :min", "min", 96)

	tests := []struct {
		name         string
		where        *sqldb.Where
		want         []int
		wantTotal    int
		wantPrepared int
	}{
		{"filtered", filtered, []int{96, 97, 98, 99, 100}, 5, 0},
		{"unfiltered", nil, []int{1, 2, 3, 4, 5}, 100, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			// One connection: Postgres keeps prepared statements per session.
			tx, err := db.BeginTxx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = tx.Rollback() }()
			sel := sqldb.Select{
				Columns: "n", From: "generate_series(1, 100) AS n", Where: tt.where,
				Order: order.NewBy("n", order.ASC), OrderColumns: map[string]string{"n": "n"}, Tiebreak: "n",
			}
			var got page.Of[row]
			for range 8 {
				if got, err = sqldb.QueryPage[row](ctx, tx, sel, dbtest.Must(page.Parse("1", "5"))); err != nil {
					t.Fatal(err)
				}
			}
			var ns []int
			for _, r := range got.Items {
				ns = append(ns, r.N)
			}
			q, data, err := sel.Statement(dbtest.Must(page.Parse("1", "5")))
			if err != nil {
				t.Fatal(err)
			}
			sent, _, err := sqlx.BindNamed(sqlx.DOLLAR, q, data)
			if err != nil {
				t.Fatal(err)
			}
			var prepared int
			if err := tx.GetContext(ctx, &prepared, `SELECT count(*) FROM pg_prepared_statements WHERE statement = $1`, sent); err != nil {
				t.Fatal(err)
			}
			// The filtered list ends with this page: no cursor after it.
			gotNext := got.Next != nil
			if diff := cmp.Diff([]any{tt.want, tt.wantTotal, tt.wantTotal > 5, tt.wantPrepared}, []any{ns, got.Total, gotNext, prepared}); diff != "" {
				t.Errorf("rows, total, next, prepared statements (-want +got):\n%s", diff)
			}
		})
	}
}
