package migrate_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/google/go-cmp/cmp"
)

// TestForeignKeysReadAnIndex: for every foreign key, the query Postgres
// runs on the referencing table when a referenced row is deleted (or its
// key changes) finds the rows through an index. Without one, deleting a
// user read every sale, a time that grows with the table until it passes
// the statement timeout. The plan is the generic one, as the check's
// prepared statement gets, with sequential scans priced out: a scan left
// in it means no index can answer.
func TestForeignKeysReadAnIndex(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, "migrate_foreign_keys")
	ctx := context.Background()

	var keys []struct {
		Name  string `db:"conname"`
		Table string `db:"tbl"`
		Cols  string `db:"cols"`  // the referencing columns, comma separated
		Types string `db:"types"` // their types, in the same order
	}
	const q = `SELECT c.conname, c.conrelid::regclass::text AS tbl,
		string_agg(quote_ident(a.attname), ',' ORDER BY k.n) AS cols,
		string_agg(format_type(a.atttypid, a.atttypmod), ',' ORDER BY k.n) AS types
		FROM pg_constraint c
		CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
		WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
		GROUP BY c.conname, c.conrelid
		ORDER BY c.conname`
	if err := db.DB.SelectContext(ctx, &keys, q); err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		t.Fatal("no foreign keys found")
	}

	conn, err := db.DB.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range []string{`SET plan_cache_mode = force_generic_plan`, `SET enable_seqscan = off`} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for i, k := range keys {
		cols := strings.Split(k.Cols, ",")
		conds := make([]string, len(cols))
		nulls := make([]string, len(cols))
		for j, c := range cols {
			conds[j] = fmt.Sprintf("%s = $%d", c, j+1)
			nulls[j] = "NULL"
		}
		check := fmt.Sprintf(`PREPARE fk%d (%s) AS SELECT 1 FROM ONLY %s x WHERE %s FOR KEY SHARE OF x`,
			i, k.Types, k.Table, strings.Join(conds, " AND "))
		if _, err := conn.ExecContext(ctx, check); err != nil {
			t.Fatalf("%s: %v", check, err)
		}
		var lines []string
		if err := conn.SelectContext(ctx, &lines, fmt.Sprintf(`EXPLAIN EXECUTE fk%d (%s)`, i, strings.Join(nulls, ","))); err != nil {
			t.Fatal(err)
		}
		// The key's columns are the index's condition: an index read
		// whole, testing them on each entry, costs what the table does.
		plan := strings.Join(lines, "\n")
		for _, c := range cols {
			if !conditionOn(lines, c) {
				t.Errorf("foreign key %s: no index of %s answers (%s) = key, so deleting a referenced row reads all of %s:\n%s",
					k.Name, k.Table, k.Cols, k.Table, plan)
				break
			}
		}
	}
}

// conditionOn reports whether a plan looks rows up by column: a scan of
// an index with column in its condition.
func conditionOn(plan []string, column string) bool {
	for _, l := range plan {
		if strings.Contains(l, "Index Cond:") && strings.Contains(l, column) {
			return true
		}
	}
	return false
}

// TestRecordedByIndexSwapRunsAgain: migration 00017, which replaces the
// uploaded ids' unique index under its name, leaves that one index, valid
// and answering the foreign key, when it runs again after stopping at any
// of its steps.
func TestRecordedByIndexSwapRunsAgain(t *testing.T) {
	const (
		old      = ` ON sales (recorded_by, client_id) WHERE client_id IS NOT NULL`
		replaced = ` ON sales (recorded_by, client_id) WHERE recorded_by IS NOT NULL`
	)
	type index struct {
		Name      string `db:"name"`
		Columns   string `db:"columns"`
		Predicate string `db:"predicate"`
		Unique    bool   `db:"unique"`
		Valid     bool   `db:"valid"`
	}
	tests := []struct {
		name  string
		state []string // statements that leave the indexes as a stopped run did
	}{
		{name: "after it applied"},
		{name: "stopped before the build", state: []string{
			`DROP INDEX sales_recorded_by_client_id_idx`,
			`CREATE UNIQUE INDEX sales_recorded_by_client_id_idx` + old,
		}},
		{name: "stopped after the build", state: []string{
			`DROP INDEX sales_recorded_by_client_id_idx`,
			`CREATE UNIQUE INDEX sales_recorded_by_client_id_idx` + old,
			`CREATE UNIQUE INDEX sales_recorded_by_client_id_new` + replaced,
		}},
		{name: "stopped during the build", state: []string{
			`DROP INDEX sales_recorded_by_client_id_idx`,
			`CREATE UNIQUE INDEX sales_recorded_by_client_id_idx` + old,
			`CREATE UNIQUE INDEX sales_recorded_by_client_id_new` + replaced,
			// What a build stopped before its end leaves: an index not valid.
			`UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'sales_recorded_by_client_id_new'::regclass`,
		}},
		{name: "stopped after the swap", state: []string{
			`CREATE UNIQUE INDEX sales_recorded_by_client_id_old` + old,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := open(t, dbtest.New(t, t.Name()).URL)
			for _, q := range append(tt.state, `DELETE FROM goose_db_version WHERE version_id >= 17`) {
				if _, err := db.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if err := migrate.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			var got []index
			const q = `SELECT c.relname AS name,
				(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
					JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) AS columns,
				pg_get_expr(i.indpred, i.indrelid) AS predicate, i.indisunique AS unique, i.indisvalid AS valid
				FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
				WHERE c.relname LIKE 'sales_recorded_by%' ORDER BY 1`
			if err := db.SelectContext(ctx, &got, q); err != nil {
				t.Fatal(err)
			}
			want := []index{{Name: "sales_recorded_by_client_id_idx", Columns: "recorded_by,client_id", Predicate: "(recorded_by IS NOT NULL)", Unique: true, Valid: true}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("indexes of recorded_by (-want +got):\n%s", diff)
			}
		})
	}
}
