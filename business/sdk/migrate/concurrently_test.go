package migrate_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// kitLast is the last of the kit's migrations written for empty tables.
// Those after it run on a live database.
const kitLast = 16

var (
	// goose reads its annotations in any case.
	downMark    = regexp.MustCompile(`(?im)^--\s*\+goose\s+down\b`)
	noTx        = regexp.MustCompile(`(?im)^--\s*\+goose\s+no\s+transaction\b`)
	lineComment = regexp.MustCompile(`--[^\n]*`)
	blockNote   = regexp.MustCompile(`(?s)/\*.*?\*/`)
	noLockLimit = regexp.MustCompile(`(?i)^set\s+lock_timeout\s*(=|to)\s*'?0'?$`)
)

// TestNewMigrationsBuildIndexesConcurrently: a migration after the kit's
// builds an index on a table it does not create itself CONCURRENTLY, and
// drops any index CONCURRENTLY, in a file marked NO TRANSACTION that lifts
// the lock timeout first (the build
// waits for every older transaction, holding up no query meanwhile); and
// adds no UNIQUE, PRIMARY KEY or EXCLUDE constraint to such a table, which
// builds its index under a lock that holds every query. A plain build
// holds the table's writes for all its length (docs/migrations.md).
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
		for _, problem := range indexProblems(string(b)) {
			t.Errorf("%s: %s (docs/migrations.md)", f, problem)
		}
	}
}

// indexProblems lists what a migration's Up section does to a table it
// does not create that holds the table's queries for an index's build.
func indexProblems(file string) []string {
	up := file
	if loc := downMark.FindStringIndex(file); loc != nil {
		up = file[:loc[0]]
	}
	inTx := !noTx.MatchString(up)
	up = blockNote.ReplaceAllString(lineComment.ReplaceAllString(up, ""), "")
	var stmts [][]string
	for s := range strings.SplitSeq(strings.ToLower(up), ";") {
		if w := strings.Fields(s); len(w) > 0 {
			stmts = append(stmts, w)
		}
	}
	created := map[string]bool{}
	for _, w := range stmts {
		if at(w, 0, "create") && (at(w, 1, "table") || at(w, 2, "table")) {
			created[tableAfter(w, "table")] = true
		}
	}
	var problems []string
	noLimit := false
	for _, w := range stmts {
		switch {
		case noLockLimit.MatchString(strings.Join(w, " ")):
			noLimit = true
		case at(w, 0, "create") && (at(w, 1, "index") || at(w, 2, "index")):
			table := tableAfter(w, "on")
			switch {
			case created[table]:
			case !slices.Contains(w, "concurrently"):
				problems = append(problems, "builds an index on "+table+", a table it does not create, without CONCURRENTLY: the table's writes wait for the whole build")
			default:
				problems = append(problems, concurrently("builds", inTx, noLimit)...)
			}
		case at(w, 0, "drop") && at(w, 1, "index"):
			if !slices.Contains(w, "concurrently") {
				problems = append(problems, "drops index "+tableAfter(w, "index")+" without CONCURRENTLY: every query of its table waits behind the drop, and the drop behind every query before it")
			} else {
				problems = append(problems, concurrently("drops", inTx, noLimit)...)
			}
		case at(w, 0, "alter") && at(w, 1, "table"):
			table := tableAfter(w, "table")
			if !created[table] && (slices.Contains(w, "unique") || slices.Contains(w, "exclude") || containsSeq(w, "primary", "key")) && !containsSeq(w, "using", "index") {
				problems = append(problems, "adds a UNIQUE, PRIMARY KEY or EXCLUDE constraint to "+table+", building its index under a lock that holds every query: build the index CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX")
			}
		}
	}
	return problems
}

// concurrently is what is wrong with a concurrent build or drop (verb)
// in a file that runs in a transaction (inTx) or keeps the lock timeout
// (!noLimit): Postgres refuses the first; under the second, the statement
// waits for every older transaction and gives up after 5s, a build with
// an invalid index left.
func concurrently(verb string, inTx, noLimit bool) []string {
	switch {
	case inTx:
		return []string{verb + " an index CONCURRENTLY in a transaction, which Postgres refuses: mark the file -- +goose NO TRANSACTION"}
	case !noLimit:
		return []string{verb + " an index CONCURRENTLY under the lock timeout: it waits for every older transaction, and gives up after 5s (a build with an invalid index left); SET lock_timeout = 0 before it, RESET after"}
	}
	return nil
}

// tableAfter is the table named after the word key, past IF [NOT] EXISTS
// and ONLY, unquoted and without a public schema.
func tableAfter(w []string, key string) string {
	for i := range w {
		if w[i] != key {
			continue
		}
		for _, t := range w[i+1:] {
			switch t {
			case "if", "not", "exists", "only", "concurrently":
				continue
			}
			t, _, _ = strings.Cut(t, "(")
			t = strings.TrimPrefix(strings.ReplaceAll(t, `"`, ""), "public.")
			return t
		}
	}
	return ""
}

func at(w []string, i int, s string) bool { return i < len(w) && w[i] == s }

func containsSeq(w []string, a, b string) bool {
	for i := range len(w) - 1 {
		if w[i] == a && w[i+1] == b {
			return true
		}
	}
	return false
}

// TestIndexProblems: what the check above finds, and what it lets be.
func TestIndexProblems(t *testing.T) {
	for _, tt := range []struct {
		name, sql string
		want      int
	}{
		{"plain index on an existing table", "-- +goose Up\nCREATE INDEX x ON sales (a);", 1},
		{"unnamed", "-- +goose Up\nCREATE INDEX ON sales (a);", 1},
		{"concurrently, unnamed, no tx, no limit", "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY ON sales (a);", 1},
		{"concurrently in a tx", "-- +goose Up\nSET lock_timeout = 0;\nCREATE INDEX CONCURRENTLY x ON sales (a);", 1},
		{"the rule", "-- +goose no transaction\n-- +goose up\nSET lock_timeout = 0;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS x ON public.\"sales\" (a);\nRESET lock_timeout;", 0},
		{"a new table", "-- +goose Up\nCREATE TABLE holds (id int);\nCREATE INDEX holds_idx ON holds (id);", 0},
		{"unique constraint", "-- +goose Up\nALTER TABLE sales ADD CONSTRAINT u UNIQUE (a);", 1},
		{"constraint using an index", "-- +goose Up\nALTER TABLE sales ADD CONSTRAINT u UNIQUE USING INDEX x;", 0},
		{"in the down section", "-- +goose Up\nSELECT 1;\n-- +goose down\nCREATE INDEX x ON sales (a);", 0},
		{"plain drop", "-- +goose Up\nDROP INDEX x;", 1},
		{"concurrent drop in a tx", "-- +goose Up\nSET lock_timeout = 0;\nDROP INDEX CONCURRENTLY IF EXISTS x;", 1},
		{"concurrent drop, no limit", "-- +goose NO TRANSACTION\n-- +goose Up\nDROP INDEX CONCURRENTLY IF EXISTS x;", 1},
		{"the rule for a drop", "-- +goose NO TRANSACTION\n-- +goose Up\nSET lock_timeout = 0;\nDROP INDEX CONCURRENTLY IF EXISTS x;\nRESET lock_timeout;", 0},
		{"in a comment", "-- +goose Up\n/* CREATE INDEX x ON sales (a); */ SELECT 1; -- CREATE INDEX y ON sales (b);", 0},
	} {
		if got := indexProblems(tt.sql); len(got) != tt.want {
			t.Errorf("%s: %d problems %q, want %d", tt.name, len(got), got, tt.want)
		}
	}
}
