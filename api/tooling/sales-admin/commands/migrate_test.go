package commands

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// statusRow is one line of migrate status's table.
type statusRow struct {
	Version string
	Name    string
	State   string
	At      string
}

// parseStatus splits migrate status's output into its table and the lines
// after it.
func parseStatus(t *testing.T, out string) (rows []statusRow, summary []string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if got := strings.Fields(lines[0]); !cmp.Equal(got, []string{"VERSION", "NAME", "STATE", "APPLIED", "AT"}) {
		t.Fatalf("header %q", lines[0])
	}
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) < 4 || (f[2] != "applied" && f[2] != "pending") {
			summary = append(summary, line)
			continue
		}
		rows = append(rows, statusRow{Version: f[0], Name: f[1], State: f[2], At: strings.Join(f[3:], " ")})
	}
	return rows, summary
}

// migrationFiles returns the rows migrate status shows for the migration
// files of the source tree, all in state, without their APPLIED AT.
func migrationFiles(t *testing.T, state string) []statusRow {
	t.Helper()
	files, err := filepath.Glob("../../../../business/sdk/migrate/sql/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migration files found (%v)", err)
	}
	var rows []statusRow
	for _, f := range files {
		version, name, _ := strings.Cut(strings.TrimSuffix(filepath.Base(f), ".sql"), "_")
		n, err := strconv.Atoi(version)
		if err != nil {
			t.Fatalf("migration %s: %v", f, err)
		}
		rows = append(rows, statusRow{Version: strconv.Itoa(n), Name: name, State: state})
	}
	return rows
}

func TestMigrateStatus(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	env := testEnv(t, &out)

	// dbtest's databases come migrated: empty this one.
	db, err := openDB(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
		t.Fatalf("empty the database: %v", err)
	}
	db.Close()

	pending := migrationFiles(t, "pending")
	n := len(pending)

	rows, summary := parseStatus(t, run(t, env, "migrate", "status"))
	for i := range rows {
		if rows[i].At != "-" {
			t.Errorf("pending migration %s shows applied at %q", rows[i].Version, rows[i].At)
		}
		rows[i].At = ""
	}
	if diff := cmp.Diff(pending, rows); diff != "" {
		t.Errorf("status before migrating (-want +got):\n%s", diff)
	}
	wantSummary := []string{fmt.Sprintf("%d of %d migrations pending: 'sales-admin migrate' applies them", n, n)}
	if diff := cmp.Diff(wantSummary, summary); diff != "" {
		t.Errorf("summary before migrating (-want +got):\n%s", diff)
	}

	run(t, env, "migrate")

	rows, summary = parseStatus(t, run(t, env, "migrate", "status"))
	for i := range rows {
		at, err := time.Parse("2006-01-02 15:04:05 MST", rows[i].At)
		if err != nil || time.Since(at) > 24*time.Hour || time.Until(at) > 24*time.Hour {
			t.Errorf("migration %s applied at %q, want the time of the migration above", rows[i].Version, rows[i].At)
		}
		rows[i].At = ""
	}
	if diff := cmp.Diff(migrationFiles(t, "applied"), rows); diff != "" {
		t.Errorf("status after migrating (-want +got):\n%s", diff)
	}
	wantSummary = []string{fmt.Sprintf("all %d migrations applied", n)}
	if diff := cmp.Diff(wantSummary, summary); diff != "" {
		t.Errorf("summary after migrating (-want +got):\n%s", diff)
	}
}
