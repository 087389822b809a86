package sqldb_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	gocmp "github.com/google/go-cmp/cmp"
)

// TestSearchPages: a search's pages are the matches in the list's order,
// with the right total and cursor, whether they come first in the order
// or last, and a search whose matches all lie at the far end of the
// order's index does not read that index to its end. "Zed" is in a tenth
// of the names, so Postgres walks the name index for its first page,
// expecting a match every ten rows; every match sorts after the other
// 18,000 names.
func TestSearchPages(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name()).DB
	ctx := context.Background()
	const n, zeds = 20_000, 18_000
	setup := []string{
		`CREATE TABLE items (item_id int PRIMARY KEY, name text NOT NULL)`,
		fmt.Sprintf(`INSERT INTO items SELECT g, CASE WHEN g > %d THEN 'Zed ' ELSE 'Item ' END || g FROM generate_series(1, %d) g`, zeds, n),
		`CREATE INDEX items_name_idx ON items (name, item_id)`,
		`CREATE INDEX items_name_trgm_idx ON items USING gin (name gin_trgm_ops)`,
		`ANALYZE items`,
	}
	for _, q := range setup {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	type row struct {
		sqldb.PageKey
		ID   int    `db:"item_id"`
		Name string `db:"name"`
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("Item %d", i+1)
		if i+1 > zeds {
			names[i] = fmt.Sprintf("Zed %d", i+1)
		}
	}
	// matches are the names holding term, in the order's direction.
	matches := func(term string, dir string) []string {
		var out []string
		for _, name := range names {
			if strings.Contains(strings.ToLower(name), strings.ToLower(term)) {
				out = append(out, name)
			}
		}
		// Collation order and byte order agree on these names.
		slices.SortFunc(out, func(a, b string) int {
			if dir == order.DESC {
				return cmp.Compare(b, a)
			}
			return cmp.Compare(a, b)
		})
		return out
	}
	first := dbtest.Must(page.Parse("1", "10"))

	tests := []struct {
		name  string
		term  string
		dir   string
		pg    page.Page
		after int // with a cursor: after this many matches
		skip  int // with a page number: the matches before the page
	}{
		{name: "a common term, matches last in the order", term: "Zed", dir: order.ASC, pg: first},
		{name: "a common term, matches last, a cursor 1000 deep", term: "zed", dir: order.ASC, pg: first, after: 1000},
		{name: "a common term, matches first in the order", term: "Zed", dir: order.DESC, pg: first},
		{name: "matches last in the order", term: "Item 99", dir: order.ASC, pg: first},
		{name: "matches last, a cursor 100 deep", term: "Item 99", dir: order.ASC, pg: first, after: 100},
		{name: "matches last, page 3", term: "item 99", dir: order.ASC, pg: dbtest.Must(page.Parse("3", "10")), skip: 20},
		{name: "matches first in the order", term: "Item 99", dir: order.DESC, pg: first},
		{name: "a common term", term: "Item 1", dir: order.ASC, pg: first},
		{name: "a common term, a cursor 1000 deep", term: "Item 1", dir: order.ASC, pg: first, after: 1000},
		{name: "fewer than a page", term: "Item 1999", dir: order.ASC, pg: first},
		{name: "the last page, short", term: "Item 99", dir: order.ASC, pg: first, after: 105},
		{name: "no match", term: "Item 0x", dir: order.ASC, pg: first},
		{name: "% matches only itself", term: "Item 1%", dir: order.ASC, pg: first},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := matches(tt.term, tt.dir)
			pg := tt.pg
			if tt.after > 0 {
				last := all[tt.after-1]
				_, id, _ := strings.Cut(last, " ")
				pg = pg.After(page.Cursor{Key: last, ID: id})
			}
			where := sqldb.NewWhere()
			where.Search("name", "name", tt.term)
			sel := sqldb.Select{
				Columns: "item_id, name", From: "items", Where: where,
				Order: order.NewBy("name", tt.dir), OrderColumns: map[string]string{"name": "name"}, Tiebreak: "item_id",
			}
			// One connection, whose reads of the table Postgres counts in
			// pg_stat_xact_user_tables (with its earlier transactions' that
			// it has not yet reported: hence before and after).
			tx, err := db.BeginTxx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = tx.Rollback() }()
			reads := func() int {
				var n int
				if err := tx.GetContext(ctx, &n, `SELECT coalesce(sum(seq_tup_read + idx_tup_fetch), 0)
					FROM pg_stat_xact_user_tables WHERE relname = 'items'`); err != nil {
					t.Fatal(err)
				}
				return n
			}
			before := reads()
			got, err := sqldb.QueryPage[row](ctx, tx, sel, pg)
			if err != nil {
				t.Fatal(err)
			}
			read := reads() - before

			rest := all[min(tt.after+tt.skip, len(all)):]
			want := rest[:min(10, len(rest))]
			var gotNames []string
			for _, r := range got.Items {
				gotNames = append(gotNames, r.Name)
			}
			wantTotal := min(len(all), page.CountCap+1)
			if len(gotNames) == 0 && tt.after == 0 && tt.skip == 0 {
				wantTotal = 0
			}
			wantNext := len(want) == 10
			if diff := gocmp.Diff([]any{want, wantTotal, wantNext}, []any{gotNames, got.Total, got.Next != nil}); diff != "" {
				t.Errorf("names, total, next (-want +got):\n%s", diff)
			}
			t.Logf("read %d rows", read)
			if read > n/2 {
				t.Errorf("the search read %d rows of %d, want at most half", read, n)
			}
		})
	}
}
