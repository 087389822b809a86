package migrate_test

import (
	"context"
	"testing"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/google/go-cmp/cmp"
)

// TestTriggersRunWithoutASearchPath: the schema's triggers run with the
// session's search_path empty, as pg_restore sets it for a restore of
// data alone: a user, a product of theirs, the user renamed. They named
// their tables without a schema, and each of these failed.
func TestTriggersRunWithoutASearchPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := open(t, dbtest.New(t, t.Name()).URL)
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`SET LOCAL search_path = ''`,
		`INSERT INTO public.users (user_id, name, email, roles, password_hash, department, enabled, date_created, date_updated)
			VALUES ('00000000-0000-0000-0000-00000000000a', 'Restored', 'restored@example.com', '{USER}', '\x00', '', true, now(), now())`,
		`INSERT INTO public.products (product_id, user_id, name, cost, quantity, stock_added, date_created, date_updated)
			VALUES ('00000000-0000-0000-0000-0000000000b0', '00000000-0000-0000-0000-00000000000a', 'Lamp', 100, 1, 1, now(), now())`,
		`UPDATE public.users SET name = 'Renamed' WHERE user_id = '00000000-0000-0000-0000-00000000000a'`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestFunctionsCarryASearchPath: every function of the schema's own
// carries a search_path, as migration 00020 set them, so a later CREATE OR
// REPLACE without one (which drops it) fails here. email_fold is left
// out: it reads pg_catalog alone, and a function with a setting of its
// own is not inlined, which its index and lookups need.
func TestFunctionsCarryASearchPath(t *testing.T) {
	t.Parallel()
	db := open(t, dbtest.New(t, t.Name()).URL)
	var bare []string
	const q = `SELECT p.proname FROM pg_proc p
		WHERE p.pronamespace = 'public'::regnamespace AND p.proname <> 'email_fold'
			AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
			AND NOT coalesce(array_to_string(p.proconfig, ',') LIKE '%search_path=%', false)
		ORDER BY 1`
	if err := db.SelectContext(context.Background(), &bare, q); err != nil {
		t.Fatal(err)
	}
	if len(bare) > 0 {
		t.Errorf("functions without a search_path of their own: %v; give each one SET search_path FROM CURRENT (a restore runs them with none)", bare)
	}
}

// TestNamesAreComposed: names stored decomposed before names were kept
// composed are composed by migration 00021, and a product's owner name
// with them, and so is a name written decomposed after it, as a pod of
// the release before writes them while the release rolls out; a search
// composes its term, and found no such row.
func TestNamesAreComposed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := open(t, dbtest.New(t, t.Name()).URL)
	for _, q := range []string{
		`INSERT INTO users (user_id, name, email, roles, password_hash, department, enabled, date_created, date_updated)
			VALUES ('00000000-0000-0000-0000-00000000000a', 'Rene` + "\u0301" + `', 'rene@example.com', '{USER}', '\x00', 'Cafe` + "\u0301" + `', true, now(), now())`,
		`INSERT INTO products (product_id, user_id, name, cost, quantity, stock_added, date_created, date_updated)
			VALUES ('00000000-0000-0000-0000-0000000000b0', '00000000-0000-0000-0000-00000000000a', 'Cre` + "\u0300" + `me', 100, 1, 1, now(), now())`,
		`DELETE FROM goose_db_version WHERE version_id >= 21`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := migrate.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO products (product_id, user_id, name, cost, quantity, stock_added, date_created, date_updated)
			VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-00000000000a', 'Pa` + "\u0302" + `te', 100, 1, 1, now(), now())`,
		`UPDATE users SET department = 'Jouets e` + "\u0301" + `te' WHERE email = 'rene@example.com'`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var got []string
	if err := db.SelectContext(ctx, &got, `SELECT name FROM users WHERE email = 'rene@example.com'
		UNION ALL SELECT department FROM users WHERE email = 'rene@example.com'
		UNION ALL (SELECT name || ' of ' || user_name FROM products ORDER BY product_id)`); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Ren\u00e9", "Jouets \u00e9te", "Cr\u00e8me of Ren\u00e9", "P\u00e2te of Ren\u00e9"}, got); diff != "" {
		t.Errorf("names after the migration (-want +got):\n%s", diff)
	}
}
