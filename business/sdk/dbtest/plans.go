package dbtest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/jmoiron/sqlx"
)

// Grow fills db for plan checks: the development seed, then n copies of
// every row of each table (a table with no row, seeded or written by the
// test, fails t), made from the row by the column expressions in
// set[table] (SQL of r, the row copied, and i, 1 to n), then VACUUM
// ANALYZE, so the planner chooses as it would for a table that size that
// autovacuum has been through (its visibility map makes index-only scans
// possible).
func Grow(t *testing.T, db *sqlx.DB, n int, set map[string]map[string]string) {
	t.Helper()
	ctx := context.Background()
	if err := migrate.Seed(ctx, db); err != nil {
		t.Fatalf("dbtest: seed: %v", err)
	}
	tables, err := parentsFirst(ctx, db, slices.Sorted(maps.Keys(set)))
	if err != nil {
		t.Fatalf("dbtest: grow: %v", err)
	}
	for _, table := range tables {
		cols := set[table]
		var pairs []string
		for _, c := range slices.Sorted(maps.Keys(cols)) {
			pairs = append(pairs, fmt.Sprintf("'%s', %s", c, cols[c]))
		}
		q := fmt.Sprintf(`INSERT INTO %[1]s
			SELECT (jsonb_populate_record(r, jsonb_build_object(%[2]s))).*
			FROM %[1]s r, generate_series(1, %[3]d) i`, table, strings.Join(pairs, ", "), n)
		// A fill of thousands of rows runs triggers for each: no request's
		// statement timeout applies.
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatalf("dbtest: grow %s: %v", table, err)
		}
		// The commit waits for its WAL (a test server commits
		// asynchronously): until the WAL is written, VACUUM cannot mark
		// the new rows visible to all, and the planner would see a table
		// whose index-only scans all read the heap.
		for _, stmt := range []string{"SET LOCAL statement_timeout = 0", "SET LOCAL synchronous_commit = on"} {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				_ = tx.Rollback()
				t.Fatalf("dbtest: grow %s: %v", table, err)
			}
		}
		res, err := tx.ExecContext(ctx, q)
		if err != nil {
			_ = tx.Rollback()
			t.Fatalf("dbtest: grow %s: %v", table, err)
		}
		if added, err := res.RowsAffected(); err == nil && added == 0 {
			_ = tx.Rollback()
			t.Fatalf("dbtest: grow %s: the table has no row to copy: Grow copies the rows there, the development seed's "+
				"(business/sdk/migrate/seed) and any the test wrote: seed one or insert one first", table)
		}
		if err := tx.Commit(); err != nil {
			t.Fatalf("dbtest: grow %s: %v", table, err)
		}
	}
	for _, table := range slices.Sorted(maps.Keys(set)) {
		if _, err := db.ExecContext(ctx, "VACUUM "+table); err != nil {
			t.Fatalf("dbtest: vacuum %s: %v", table, err)
		}
	}
	// Every table, the seeded ones not grown too.
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatalf("dbtest: analyze: %v", err)
	}
}

// ListQuery is a list's SQL for an order and a page, as its store builds
// it (sqldb.Select.Statement).
type ListQuery func(by order.By, pg page.Page) (string, map[string]any, error)

// PageQuery is a list's SQL for a page, in one order and filter
// (sqldb.Select.Statement).
type PageQuery func(pg page.Page) (string, map[string]any, error)

// CheckOrderPlans checks that every ordering of a list (the keys of its
// store's order columns, but except) is read in index order, ASC and DESC,
// on page 1 and on a cursor page 90% deep: no Sort and no sequential scan
// of table in the plan, the page's count included, so a page costs the
// same at any table size. db must be grown (Grow).
func CheckOrderPlans(t *testing.T, db *sqlx.DB, table string, orders map[string]string, list ListQuery, except ...string) {
	t.Helper()
	var rows int
	if err := db.Get(&rows, "SELECT count(*) FROM "+table); err != nil {
		t.Fatal(err)
	}
	fields := slices.DeleteFunc(slices.Sorted(maps.Keys(orders)), func(f string) bool { return slices.Contains(except, f) })
	first, err := page.Parse("1", "10")
	if err != nil {
		t.Fatal(err)
	}
	// Page numbers stop short of 90% (page.MaxOffset): cursor pages of
	// 100 rows walk there.
	walk, err := page.Parse("1", "100")
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range fields {
		for _, dir := range []string{order.ASC, order.DESC} {
			by := order.NewBy(field, dir)
			t.Run(field+" "+dir, func(t *testing.T) {
				cursor := lastKey(t, db, list, by, walk)
				for range rows*9/10/100 - 1 {
					cursor = lastKey(t, db, list, by, walk.After(cursor))
				}
				for name, pg := range map[string]page.Page{"page 1": first, "cursor 90% deep": first.After(cursor)} {
					q, data, err := list(by, pg)
					if err != nil {
						t.Fatal(err)
					}
					plan := Plan(t, db, q, data)
					if strings.Contains(plan, "Sort") || strings.Contains(plan, "Seq Scan on "+table) {
						t.Errorf("%s, %s: the plan sorts or scans %s, want an index read in order:\n%s", by.Field, name, table, plan)
					}
				}
			})
		}
	}
}

// CheckFilterPlans checks that page 1 of each filtered list (by name)
// reads table through an index, its count included: no sequential scan.
// A scan that stops at the count's cap still reads a table larger than a
// quarter of shared_buffers through a small ring of buffers, from the
// kernel on every request. db must be grown (Grow).
func CheckFilterPlans(t *testing.T, db *sqlx.DB, table string, lists map[string]PageQuery) {
	t.Helper()
	first, err := page.Parse("1", "10")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range slices.Sorted(maps.Keys(lists)) {
		q, data, err := lists[name](first)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if plan := Plan(t, db, q, data); strings.Contains(plan, "Seq Scan on "+table) {
			t.Errorf("%s: the plan scans %s, want index reads only:\n%s", name, table, plan)
		}
	}
}

// lastKey runs list for pg and returns the cursor after its last row.
func lastKey(t *testing.T, db *sqlx.DB, list ListQuery, by order.By, pg page.Page) page.Cursor {
	t.Helper()
	q, data, err := list(by, pg)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sqlx.NamedQueryContext(context.Background(), db, q, data)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var c page.Cursor
	for rows.Next() {
		row := map[string]any{}
		if err := rows.MapScan(row); err != nil {
			t.Fatal(err)
		}
		c = page.Cursor{Key: text(row["sqldb_key"]), ID: text(row["sqldb_key_id"])}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if c.ID == "" {
		t.Fatalf("no row on a page of %s: grow the table first", by.Field)
	}
	return c
}

// text is a text column's value as MapScan gives it.
func text(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

// Plan returns Postgres' plan for q with data bound as sqlx binds it.
func Plan(t *testing.T, db *sqlx.DB, q string, data map[string]any) string {
	t.Helper()
	bound, args, err := sqlx.Named("EXPLAIN "+q, data)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	if err := db.SelectContext(context.Background(), &lines, db.Rebind(bound), args...); err != nil {
		t.Fatalf("EXPLAIN %s: %v", q, err)
	}
	return strings.Join(lines, "\n")
}

// parentsFirst orders tables so that each comes after the tables its
// foreign keys refer to, as the catalog says: a copy of a row refers to
// the copies of its parents' rows, which must exist by then. Tables
// unrelated to each other keep their order.
func parentsFirst(ctx context.Context, db *sqlx.DB, tables []string) ([]string, error) {
	var edges []struct {
		Child  string `db:"child"`
		Parent string `db:"parent"`
	}
	// Names as a table's own, unquoted and unqualified, as Grow's callers
	// write them.
	const q = `
	SELECT child.relname AS child, parent.relname AS parent
	FROM pg_constraint c
	JOIN pg_class child ON child.oid = c.conrelid
	JOIN pg_class parent ON parent.oid = c.confrelid
	WHERE c.contype = 'f' AND c.conrelid <> c.confrelid`
	if err := sqlx.SelectContext(ctx, db, &edges, q); err != nil {
		return nil, fmt.Errorf("read foreign keys: %w", err)
	}
	parents := map[string][]string{}
	for _, e := range edges {
		parents[e.Child] = append(parents[e.Child], e.Parent)
	}
	var out []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) error
	visit = func(table string) error {
		switch state[table] {
		case 1:
			return fmt.Errorf("foreign keys make a cycle through %s", table)
		case 2:
			return nil
		}
		state[table] = 1
		for _, p := range parents[table] {
			if slices.Contains(tables, p) {
				if err := visit(p); err != nil {
					return err
				}
			}
		}
		state[table] = 2
		out = append(out, table)
		return nil
	}
	for _, table := range tables {
		if err := visit(table); err != nil {
			return nil, err
		}
	}
	return out, nil
}
