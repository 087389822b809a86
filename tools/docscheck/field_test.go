// Package docscheck checks what the kit's docs show against the code:
// docs/adding-a-field.md walks through adding a field to products, and its
// patch, kept beside it, must apply to the tree and leave it building and
// passing, filtering and ordering by the new field included.
package docscheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/garagesale/service/tools/internal/repocopy"
)

// patchFile is the patch docs/adding-a-field.md shows, from the root.
const patchFile = "docs/adding-a-field.patch"

// maxFiles is how many files other than tests adding a field may touch by
// hand: the three models, the store's SQL and a migration. make docs
// writes the API's document from the code, so the patch holds none of it:
// in a project with routes of its own, a hunk of it could land in another
// route without a word.
const maxFiles = 5

// colorOps are the operations that take the new field as a parameter
// once the document is written from the patched code.
var colorOps = []string{"GET /v1/products", "GET /v1/vproducts"}

// TestAddingAFieldPatch applies the patch to a copy of the repository and
// runs there what the page says to: the build, the API's document check
// and the products' tests, which the patch extends with the new field.
func TestAddingAFieldPatch(t *testing.T) {
	if testing.Short() {
		t.Skip("copies and builds the repository")
	}
	root := repocopy.Root(t)
	patch, err := os.ReadFile(root + "/" + patchFile)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("no " + patchFile + ": the project has dropped the kit's walk through")
	}
	if err != nil {
		t.Fatal(err)
	}

	var touched []string
	for _, m := range regexp.MustCompile(`(?m)^diff --git a/(\S+) b/`).FindAllStringSubmatch(string(patch), -1) {
		if !strings.HasSuffix(m[1], "_test.go") {
			touched = append(touched, m[1])
		}
	}
	slices.Sort(touched)
	if slices.Contains(touched, "docs/openapi.json") {
		t.Errorf("the patch changes docs/openapi.json: leave it out, make docs writes it from the code")
	}
	if len(touched) == 0 || len(touched) > maxFiles {
		t.Errorf("the patch touches %d files besides tests, want 1 to %d: %v", len(touched), maxFiles, touched)
	}

	dst := t.TempDir()
	repocopy.Copy(t, root, dst)

	// The patch numbers its migration after the kit's last. Where the tree
	// already holds it, it may be under another number (the page says to
	// number it after the tree's last); a project that has added
	// migrations since gets it in the next free number.
	last, held := migrationNumbers(t, dst, migrationName(t, string(patch)))
	if held > 0 {
		write(t, dst, renumber(string(patch), held))
		if apply(dst, "--check", "--reverse", patchFile) == nil {
			t.Skipf("the tree already holds the patch, its migration numbered %05d (docs/adding-a-field.md "+
				"was followed): this check runs again once the change is taken out", held)
		}
	}
	write(t, dst, renumber(string(patch), last+1))
	if err := apply(dst, "--check", patchFile); err != nil {
		t.Fatalf("%s no longer applies (%v): the products it extends have changed since. "+
			"Remake it from the change docs/adding-a-field.md walks through; or, in a project whose "+
			"products are its own, delete the page and its patch, and this check skips", patchFile, err)
	}
	run(t, dst, "git", "apply", "--verbose", patchFile)
	// What make docs runs.
	run(t, dst, "go", "run", "./api/tooling/openapi", "-o", "docs/openapi.json")
	if got := paramOps(t, dst+"/docs/openapi.json", "color"); !slices.Equal(got, colorOps) {
		t.Errorf("the document written from the patched code takes color in %v, want %v", got, colorOps)
	}
	run(t, dst, "go", "vet", "./...")
	run(t, dst, "go", "test", "-count=1", "./api/tooling/openapi/", "./business/domain/productbus/...",
		"./business/domain/vproductbus/...", "./api/services/sales/tests/", "-run", "Document|Product|Color")
}

// migrations is where the service's migrations live, numbered from 00001.
const migrations = "business/sdk/migrate/sql/"

// numbered matches a migration's path in the patch: its number and name.
var numbered = regexp.MustCompile(regexp.QuoteMeta(migrations) + `(\d{5})_(\w+)\.sql`)

// migrationName returns the name of the patch's migration, after its
// number: product_color.
func migrationName(t *testing.T, patch string) string {
	t.Helper()
	m := numbered.FindStringSubmatch(patch)
	if m == nil {
		t.Fatalf("%s adds no migration under %s", patchFile, migrations)
	}
	return m[2]
}

// migrationNumbers returns the last migration's number in dir and the
// number of the one named name, or 0 if there is none.
func migrationNumbers(t *testing.T, dir, name string) (last, named int) {
	t.Helper()
	entries, err := os.ReadDir(dir + "/" + migrations)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		num, rest, _ := strings.Cut(e.Name(), "_")
		n, err := strconv.Atoi(num)
		if err != nil {
			continue
		}
		last = max(last, n)
		if rest == name+".sql" {
			named = n
		}
	}
	return last, named
}

// renumber returns the patch with its migration numbered n.
func renumber(patch string, n int) string {
	return numbered.ReplaceAllString(patch, fmt.Sprintf("%s%05d_$2.sql", migrations, n))
}

// write replaces the patch in dir.
func write(t *testing.T, dir, patch string) {
	t.Helper()
	if err := os.WriteFile(dir+"/"+patchFile, []byte(patch), 0o644); err != nil {
		t.Fatal(err)
	}
}

// apply runs git apply with args in dir and returns its complaint.
func apply(dir string, args ...string) error {
	cmd := exec.Command("git", append([]string{"apply"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// run runs a command in dir and fails the test with its output.
func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	// -trimpath keeps the build cache's keys free of the folder, so the
	// copy reuses what the tree's own tests compiled; the caller's
	// GOFLAGS (make's build tags) stay.
	cmd.Env = append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=vendor -trimpath"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// paramOps returns the operations of the OpenAPI document at path that
// take a parameter named name, as "GET /v1/products", sorted.
func paramOps(t *testing.T, path, name string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name string } `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var ops []string
	for p, methods := range doc.Paths {
		for method, op := range methods {
			if slices.ContainsFunc(op.Parameters, func(q struct{ Name string }) bool { return q.Name == name }) {
				ops = append(ops, strings.ToUpper(method)+" "+p)
			}
		}
	}
	slices.Sort(ops)
	return ops
}
