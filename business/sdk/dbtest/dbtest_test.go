package dbtest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) {
	Main(m)
}

func TestNewGivesEachTestItsOwnMigratedDatabase(t *testing.T) {
	for i := range 4 {
		t.Run(fmt.Sprintf("test %d", i), func(t *testing.T) {
			t.Parallel()
			d := New(t, t.Name())
			ctx := context.Background()

			email := fmt.Sprintf("user%d@example.com", i)
			_, err := d.DB.ExecContext(ctx, `INSERT INTO users
				(user_id, name, email, roles, password_hash, enabled, date_created, date_updated)
				VALUES (gen_random_uuid(), 'Gopher', $1, '{USER}', 'x', true, now(), now())`, email)
			if err != nil {
				t.Fatalf("insert into the migrated users table: %v", err)
			}

			var emails []string
			if err := d.DB.SelectContext(ctx, &emails, `SELECT email FROM users`); err != nil {
				t.Fatalf("select: %v", err)
			}
			if diff := cmp.Diff([]string{email}, emails); diff != "" {
				t.Errorf("users seen by this test (-want +got):\n%s", diff)
			}

			var dbName string
			if err := d.DB.GetContext(ctx, &dbName, `SELECT current_database()`); err != nil {
				t.Fatalf("select: %v", err)
			}
			if !strings.Contains(d.URL, "/"+dbName+"?") {
				t.Errorf("URL %s does not name the database the pool is on, %s", d.URL, dbName)
			}
		})
	}
}

func TestNewDropsTheDatabaseWhenTheTestEnds(t *testing.T) {
	var dbName string
	t.Run("inner", func(t *testing.T) {
		d := New(t, "dropped")
		if err := d.DB.GetContext(context.Background(), &dbName, `SELECT current_database()`); err != nil {
			t.Fatalf("select: %v", err)
		}
	})

	adm, err := adminPool()
	if err != nil {
		t.Fatal(err)
	}
	var exists bool
	if err := adm.GetContext(context.Background(), &exists,
		`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, dbName); err != nil {
		t.Fatalf("look for database: %v", err)
	}
	if exists {
		t.Errorf("database %s still exists after its test ended", dbName)
	}
}

func TestDatabaseName(t *testing.T) {
	tests := []struct {
		label      string
		wantPrefix string
	}{
		{label: "TestUser/Create_admin", wantPrefix: "test_testuser_create_admin_"},
		{label: "ünïcode & spaces!", wantPrefix: "test_n_code_spaces_"},
		{label: strings.Repeat("Long", 30), wantPrefix: "test_" + strings.Repeat("long", 10) + "_"},
	}
	valid := regexp.MustCompile(`^[a-z0-9_]{1,63}$`)
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			a, b := databaseName(tt.label), databaseName(tt.label)
			if !strings.HasPrefix(a, tt.wantPrefix) || !valid.MatchString(a) {
				t.Errorf("databaseName(%q) = %q, want prefix %q and only [a-z0-9_], at most 63", tt.label, a, tt.wantPrefix)
			}
			if a == b {
				t.Errorf("two calls gave the same name %q", a)
			}
		})
	}
}

// TestParentsFirst: Grow copies a table's rows after those of the tables
// its foreign keys refer to, in whatever order it is given them.
func TestParentsFirst(t *testing.T) {
	t.Parallel()
	d := New(t, t.Name())
	ctx := context.Background()
	for _, stmt := range []string{
		`CREATE TABLE grand (id int PRIMARY KEY)`,
		`CREATE TABLE "Parent" (id int PRIMARY KEY, grand_id int REFERENCES grand)`,
		`CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES "Parent", again int REFERENCES grand, self int REFERENCES child)`,
		`CREATE TABLE apart (id int PRIMARY KEY)`,
	} {
		if _, err := d.DB.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	got, err := parentsFirst(ctx, d.DB, []string{"child", "apart", "Parent", "grand"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"grand", "Parent", "child", "apart"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}
