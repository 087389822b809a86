package migrate_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// kitLast is the last of the kit's migrations written for empty tables.
// Those after it run on a live database.
const kitLast = 16

var (
	createIndex = regexp.MustCompile(`(?is)\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+ON\s+(?:ONLY\s+)?([\w."]+)`)
	createTable = regexp.MustCompile(`(?is)\bCREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w."]+)`)
	noTx        = regexp.MustCompile(`(?m)^--\s*\+goose\s+NO\s+TRANSACTION\b`)
)

// TestNewMigrationsBuildIndexesConcurrently: a migration after the kit's
// builds an index on a table it does not create itself CONCURRENTLY, in a
// file marked NO TRANSACTION. A plain CREATE INDEX holds the table's writes
// for the whole build, and the API's requests with them
// (docs/migrations.md).
func TestNewMigrationsBuildIndexesConcurrently(t *testing.T) {
	files, err := filepath.Glob("sql/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		n, err := strconv.Atoi(strings.SplitN(filepath.Base(f), "_", 2)[0])
		if err != nil || n <= kitLast {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		up, _, _ := strings.Cut(string(b), "-- +goose Down")
		up = dropComments(up)
		created := map[string]bool{}
		for _, m := range createTable.FindAllStringSubmatch(up, -1) {
			created[strings.ToLower(m[1])] = true
		}
		for _, m := range createIndex.FindAllStringSubmatch(up, -1) {
			concurrently, table := m[1] != "", strings.ToLower(m[2])
			switch {
			case created[table]:
			case !concurrently:
				t.Errorf("%s builds an index on %s, a table it does not create, without CONCURRENTLY: the table's writes wait for the whole build (docs/migrations.md)", f, table)
			case !noTx.MatchString(string(b)):
				t.Errorf("%s builds an index CONCURRENTLY in a transaction, which Postgres refuses: mark the file -- +goose NO TRANSACTION", f)
			}
		}
	}
}

// dropComments removes SQL line comments, lest a comment's words read as
// a statement.
func dropComments(sql string) string {
	var out []string
	for line := range strings.SplitSeq(sql, "\n") {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i]
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
