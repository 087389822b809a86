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
	"github.com/jmoiron/sqlx"
)

// TestSearchPages: a search's pages are the matches in the list's order,
// with the right total and cursor, whether they come first in the order
// or last, by page number or by cursor; and a search whose matches all
// lie at the far end of the order's index does not read that index to its
// end. "Zed" is in a tenth of the names, so Postgres walks the name index
// for its first page, expecting a match every ten rows; every match sorts
// after the other 18,000 names. The rows read are the table's rows
// Postgres fetched (each row has a note no index holds, so no scan of
// them is index-only); a page the walk finds reads a few hundred, and one
// found by the matches first reads every match. Each row has an owner
// (ten rows each) for a filter besides the term, which the walk tests on
// the rows it reads: it stays bounded even where the filter keeps few rows
// and the matches lie at the order's far end.
func TestSearchPages(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name()).DB
	ctx := context.Background()
	const n, zeds, owners = 20_000, 18_000, 2_000
	execAll(t, db,
		`CREATE TABLE items (item_id int PRIMARY KEY, name text NOT NULL, note text NOT NULL, owner int NOT NULL)`,
		fmt.Sprintf(`INSERT INTO items SELECT g, CASE WHEN g > %d THEN 'Zed ' ELSE 'Item ' END || g, 'note ' || g, g %% %d
			FROM generate_series(1, %d) g`, zeds, owners, n),
		`CREATE INDEX items_name_idx ON items (name, item_id)`,
		`CREATE INDEX items_owner_idx ON items (owner, item_id)`,
		`CREATE INDEX items_name_trgm_idx ON items USING gin (name gin_trgm_ops)`,
		`ANALYZE items`,
	)
	type row struct {
		sqldb.PageKey
		ID   int    `db:"item_id"`
		Name string `db:"name"`
		Note string `db:"note"`
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("Item %d", i+1)
		if i+1 > zeds {
			names[i] = fmt.Sprintf("Zed %d", i+1)
		}
	}
	// matches are the names holding term, in the order's direction, of
	// the rows whose owner is below below, if below is not 0.
	matches := func(term string, dir string, below int) []string {
		var out []string
		for i, name := range names {
			if below != 0 && (i+1)%owners >= below {
				continue
			}
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
	// id is a name's item_id, its number.
	id := func(name string) string {
		_, id, _ := strings.Cut(name, " ")
		return id
	}
	first := dbtest.Must(page.Parse("1", "10"))
	third := dbtest.Must(page.Parse("3", "10"))

	tests := []struct {
		name    string
		term    string
		dir     string
		pg      page.Page
		after   int // with a cursor: after this many matches
		skip    int // with a page number: the matches before the page
		below   int // if not 0, only the rows of owners below it
		maxRead int // rows of the table the search may read
	}{
		{name: "a common term, matches last in the order", term: "Zed", dir: order.ASC, pg: first, maxRead: n / 2},
		{name: "a common term, matches last, a cursor 1000 deep", term: "zed", dir: order.ASC, pg: first, after: 1000, maxRead: n / 2},
		{name: "a common term, matches first in the order", term: "Zed", dir: order.DESC, pg: first, maxRead: 1100},
		{name: "a common term, matches first, a cursor 1000 deep", term: "Zed", dir: order.DESC, pg: first, after: 1000, maxRead: 1100},
		{name: "a common term, matches first, page 3", term: "Zed", dir: order.DESC, pg: third, skip: 20, maxRead: 1100},
		{name: "a term in 1%, matches last", term: "Item 99", dir: order.ASC, pg: first, maxRead: n / 2},
		{name: "a term in 1%, matches last, a cursor 100 deep", term: "Item 99", dir: order.ASC, pg: first, after: 100, maxRead: n / 2},
		{name: "a term in 1%, matches last, page 3", term: "item 99", dir: order.ASC, pg: third, skip: 20, maxRead: n / 2},
		{name: "a term in 1%, matches first", term: "Item 99", dir: order.DESC, pg: first, maxRead: n / 2},
		{name: "a spread term", term: "Item 1", dir: order.ASC, pg: first, maxRead: 2000},
		{name: "a spread term, a cursor 1000 deep", term: "Item 1", dir: order.ASC, pg: first, after: 1000, maxRead: 2000},
		{name: "a spread term, page 3", term: "Item 1", dir: order.ASC, pg: third, skip: 20, maxRead: 2000},
		{name: "fewer than a page", term: "Item 1999", dir: order.ASC, pg: first, maxRead: n / 2},
		{name: "the last page, short", term: "Item 99", dir: order.ASC, pg: first, after: 105, maxRead: n / 2},
		// Past the end the total takes a count of its own.
		{name: "a cursor at the end", term: "Item 99", dir: order.ASC, pg: first, after: 111, maxRead: n},
		// A walk that tested the filter before its bound would read the
		// name index to its end (18,211 rows), keeping one row in ten.
		{name: "a filter of 10%, matches last", term: "Zed", below: 200, dir: order.ASC, pg: first, maxRead: 3500},
		{name: "a filter of 1%, matches first", term: "Zed", below: 20, dir: order.DESC, pg: first, maxRead: 3500},
		{name: "a filter of 0.05%, fewer than a page", term: "Item", below: 1, dir: order.ASC, pg: first, maxRead: 3500},
		{name: "no match", term: "Item 0x", dir: order.ASC, pg: first, maxRead: n / 2},
		{name: "% matches only itself", term: "Item 1%", dir: order.ASC, pg: first, maxRead: n / 2},
		// "Item" and "1" are the trigrams of Item_1: its candidates are
		// every name with a number starting with 1.
		{name: "_ matches only itself", term: "Item_1", dir: order.ASC, pg: first, maxRead: n},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := matches(tt.term, tt.dir, tt.below)
			pg := tt.pg
			if tt.after > 0 {
				last := all[tt.after-1]
				pg = pg.After(page.Cursor{Key: last, ID: id(last)})
			}
			where := sqldb.NewWhere()
			where.Search("name", "name", tt.term)
			if tt.below != 0 {
				where.Add("owner < :below", "below", tt.below)
			}
			sel := sqldb.Select{
				Columns: "item_id, name, note", From: "items", Where: where,
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

			var want []string
			if rest := all[min(tt.after+tt.skip, len(all)):]; len(rest) > 0 {
				want = rest[:min(10, len(rest))]
			}
			wantTotal := min(len(all), page.CountCap+1)
			if len(want) == 0 && tt.after == 0 && tt.skip == 0 {
				wantTotal = 0
			}
			var wantNext *page.Cursor
			if len(want) == 10 {
				wantNext = &page.Cursor{Key: want[9], ID: id(want[9])}
			}
			var gotNames []string
			for _, r := range got.Items {
				gotNames = append(gotNames, r.Name)
				if r.Note != "note "+id(r.Name) {
					t.Errorf("%s has note %q", r.Name, r.Note)
				}
			}
			if diff := gocmp.Diff([]any{want, wantTotal, wantNext}, []any{gotNames, got.Total, got.Next}); diff != "" {
				t.Errorf("names, total, next (-want +got):\n%s", diff)
			}
			if read > tt.maxRead {
				t.Errorf("the search read %d rows of %d, want at most %d", read, n, tt.maxRead)
			}
		})
	}
}

// TestSearchFroms: a search pages the same through every way a store may
// name its one table, and through a From that is not one table (which
// QueryPage pages in one statement, as a list without a search).
func TestSearchFroms(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name()).DB
	ctx := context.Background()
	execAll(t, db,
		`CREATE TABLE items (item_id int PRIMARY KEY, name text NOT NULL)`,
		`INSERT INTO items SELECT g, 'Item ' || g FROM generate_series(1, 300) g`,
	)
	type row struct {
		sqldb.PageKey
		ID int `db:"item_id"`
	}
	for _, from := range []string{
		"items", "items i", "items AS i", "public.items", "public.items AS i",
		"(SELECT * FROM items) i",
		"items JOIN (SELECT 1 AS one) o ON true",
	} {
		t.Run(from, func(t *testing.T) {
			where := sqldb.NewWhere()
			where.Search("name", "name", "item 2")
			sel := sqldb.Select{
				Columns: "item_id", From: from, Where: where,
				Order: order.NewBy("id", order.DESC), OrderColumns: map[string]string{"id": "item_id"}, Tiebreak: "item_id",
			}
			got, err := sqldb.QueryPage[row](ctx, db, sel, dbtest.Must(page.Parse("1", "3")))
			if err != nil {
				t.Fatal(err)
			}
			var ids []int
			for _, r := range got.Items {
				ids = append(ids, r.ID)
			}
			// Item 2, 20-29 and 200-299 match: 111.
			if diff := gocmp.Diff([]any{[]int{299, 298, 297}, 111}, []any{ids, got.Total}); diff != "" {
				t.Errorf("ids, total (-want +got):\n%s", diff)
			}
		})
	}
}

// execAll runs each statement, in order, failing the test on an error.
func execAll(t *testing.T, db *sqlx.DB, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
