package migrate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/google/go-cmp/cmp"
)

// TestEmailFoldSwapRunsAgain: migration 00019 replaces the unique index of
// addresses by one on email_fold under the same name, and run again from
// wherever a run of it stopped it leaves that one index; accounts whose
// addresses are equal in any case stop it first, named, and it runs once
// one of them has another address.
func TestEmailFoldSwapRunsAgain(t *testing.T) {
	const (
		old      = ` ON users (lower(email))`
		replaced = ` ON users (email_fold(email))`
	)
	twins := []string{
		`INSERT INTO users (user_id, name, email, roles, password_hash, department, enabled, date_created, date_updated)
			VALUES ('00000000-0000-0000-0000-00000000000a', 'Sofia', 'σοφίας@example.gr', '{USER}', '\x00', '', true, now(), now()),
			('00000000-0000-0000-0000-00000000000b', 'Sofia Again', 'ΣΟΦΊΑΣ@example.gr', '{USER}', '\x00', '', true, now(), now())`,
	}
	tests := []struct {
		name    string
		state   []string // statements that leave the indexes as a stopped run did
		refused bool     // the addresses of twins, equal in any case, stop it
	}{
		{name: "after it applied"},
		{name: "stopped before the build", state: []string{`DROP INDEX users_email_key`, `CREATE UNIQUE INDEX users_email_key` + old}},
		{name: "stopped after the build", state: []string{`DROP INDEX users_email_key`, `CREATE UNIQUE INDEX users_email_key` + old,
			`CREATE UNIQUE INDEX users_email_key_new` + replaced}},
		{name: "stopped during the build", state: []string{`DROP INDEX users_email_key`, `CREATE UNIQUE INDEX users_email_key` + old,
			`CREATE UNIQUE INDEX users_email_key_new` + replaced,
			`UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'users_email_key_new'::regclass`}},
		{name: "stopped after the swap", state: []string{`CREATE UNIQUE INDEX users_email_key_old` + old}},
		{name: "two accounts of one address", state: append([]string{`DROP INDEX users_email_key`, `CREATE UNIQUE INDEX users_email_key` + old}, twins...),
			refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := open(t, dbtest.New(t, t.Name()).URL)
			for _, q := range append(tt.state, `DELETE FROM goose_db_version WHERE version_id >= 19`) {
				if _, err := db.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			err := migrate.Migrate(ctx, db)
			if tt.refused {
				if err == nil || !strings.Contains(err.Error(), "ΣΟΦΊΑΣ@example.gr and σοφίας@example.gr") {
					t.Fatalf("migrate with two accounts of one address: %v, want them named", err)
				}
				if _, err := db.ExecContext(ctx, `UPDATE users SET email = 'sofia@example.gr' WHERE name = 'Sofia Again'`); err != nil {
					t.Fatal(err)
				}
				if err := migrate.Migrate(ctx, db); err != nil {
					t.Fatalf("migrate once the address was changed: %v", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			var got []string
			const q = `SELECT pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' (not valid)' END
				FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'users_email_key%' ORDER BY 1`
			if err := db.SelectContext(ctx, &got, q); err != nil {
				t.Fatal(err)
			}
			want := []string{"CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email_fold(email))"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("unique indexes of addresses (-want +got):\n%s", diff)
			}
		})
	}
}
