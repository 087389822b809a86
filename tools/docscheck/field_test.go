// Package docscheck checks what the kit's docs show against the code:
// docs/adding-a-field.md walks through adding a field to products, and its
// patch, kept beside it, must apply to the tree and leave it building and
// passing, filtering and ordering by the new field included.
package docscheck

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/garagesale/service/tools/internal/repocopy"
)

// patchFile is the patch docs/adding-a-field.md shows, from the root.
const patchFile = "docs/adding-a-field.patch"

// maxFiles is how many files other than tests adding a field may touch:
// the three models, the store's SQL, a migration and the API's document.
const maxFiles = 6

// TestAddingAFieldPatch applies the patch to a copy of the repository and
// runs there what the page says to: the build, the API's document check
// and the products' tests, which the patch extends with the new field.
func TestAddingAFieldPatch(t *testing.T) {
	if testing.Short() {
		t.Skip("copies and builds the repository")
	}
	root := repocopy.Root(t)
	patch, err := os.ReadFile(root + "/" + patchFile)
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
	if len(touched) == 0 || len(touched) > maxFiles {
		t.Errorf("the patch touches %d files besides tests, want 1 to %d: %v", len(touched), maxFiles, touched)
	}

	dst := t.TempDir()
	repocopy.Copy(t, root, dst)
	run(t, dst, "git", "apply", "--verbose", patchFile)
	run(t, dst, "go", "vet", "./...")
	run(t, dst, "go", "test", "-count=1", "./api/tooling/openapi/", "./business/domain/productbus/...",
		"./business/domain/vproductbus/...", "./api/services/sales/tests/", "-run", "Document|Product|Color")
}

// run runs a command in dir and fails the test with its output.
func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	// -trimpath keeps the build cache's keys free of the folder, so the
	// copy reuses what the tree's own tests compiled.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=vendor -trimpath")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
