package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// leftovers are the template's tokens; none may remain in a renamed tree.
var leftovers = []string{
	"garagesale", "services/sales", `"SALES"`, "SALES_", "sales_api",
	"sales-api", "sales-admin", "sales-system", "sales-service", "sales-keys",
	"Sales-Caches-Behind",
}

// TestRenameRepository renames a copy of this repository and checks that
// the copy builds, vets and passes its fast tests, names nothing of the
// template, and still has its example application.
func TestRenameRepository(t *testing.T) {
	if os.Getenv(gateVar) != "1" {
		t.Skipf("slow (copies the repository, then builds and tests the copy): set %s=1 or run make test-rename", gateVar)
	}

	src := repoRoot(t)
	dst := t.TempDir()
	copyRepository(t, src, dst)

	cfg := config{root: dst, module: "github.com/acme/shop", name: "shop"}
	var out bytes.Buffer
	s, err := rename(cfg, &out)
	if err != nil {
		t.Fatalf("rename: %v\n%s", err, out.String())
	}
	t.Logf("renamed %d files (%d tokens), moved %d paths", s.files, s.tokens, s.moves)
	if s.moves != 4 {
		t.Errorf("moved %d paths, want 4 (api/services/sales, api/tooling/sales-admin, its docs page, the dashboard):\n%s", s.moves, out.String())
	}

	out.Reset()
	if again, err := rename(cfg, &out); err != nil || again != (summary{}) {
		t.Errorf("a second rename = %+v, %v; want nothing to do:\n%s", again, err, out.String())
	}

	t.Run("no template names left", func(t *testing.T) {
		for _, hit := range findLeftovers(t, dst) {
			t.Error(hit)
		}
	})

	t.Run("rewritten Go files gofmt-clean", func(t *testing.T) {
		for _, p := range rewrittenGoFiles(t, src, dst, newReplacer(cfg.module, cfg.name)) {
			data := readFile(t, dst, p)
			if formatted, err := format.Source([]byte(data)); err != nil || string(formatted) != data {
				t.Errorf("%s is not as gofmt writes it (%v)", p, err)
			}
		}
	})

	t.Run("example application kept", func(t *testing.T) {
		for _, p := range []string{
			"business/domain/salebus/salebus.go",
			"business/domain/salebus/stores/saledb/saledb.go",
			"app/domain/saleapp/route.go",
			"api/services/shop/main.go",
			"api/tooling/shop-admin/main.go",
		} {
			if _, err := os.Stat(filepath.Join(dst, p)); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
		for _, p := range []string{"api/services/sales", "api/tooling/sales-admin"} {
			if _, err := os.Stat(filepath.Join(dst, p)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s is still there (%v)", p, err)
			}
		}
		route := readFile(t, dst, "app/domain/saleapp/route.go")
		if !strings.Contains(route, "/v1/sales") {
			t.Error("app/domain/saleapp/route.go no longer serves /v1/sales")
		}

		// SQL and third-party code are the same, byte for byte.
		for _, dir := range []string{"business/sdk/migrate/sql", "business/sdk/migrate/seed"} {
			entries, err := os.ReadDir(filepath.Join(src, dir))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				p := path.Join(dir, e.Name())
				if readFile(t, src, p) != readFile(t, dst, p) {
					t.Errorf("%s changed", p)
				}
			}
		}
		for _, p := range []string{"vendor/modules.txt", "tools/vendor/modules.txt"} {
			if readFile(t, src, p) != readFile(t, dst, p) {
				t.Errorf("%s changed", p)
			}
		}
	})

	// The renamed copy must pass what the kit's own tree passes: the
	// whole make test (both modules, against a throwaway Postgres), with
	// its history left out of the binaries and its temporary path out of
	// the build cache's keys, so a second run reuses the first one's work.
	t.Run("make test", func(t *testing.T) {
		// A project renames its clone, a git repository, and the tests
		// that copy the repository (the generator's, the rename's) ask
		// git which files it holds: the copy gets committed as the clone
		// would be.
		for _, args := range [][]string{
			{"init", "-q"}, {"add", "-A"},
			{"-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "renamed"},
		} {
			git := exec.Command("git", args...)
			git.Dir = dst
			if out, err := git.CombinedOutput(); err != nil {
				t.Fatalf("git %s in the renamed copy: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
		cmd := exec.Command("make", "test")
		cmd.Dir = dst
		// Without the gate the copy's own rename test skips rather than
		// rename a copy of the copy.
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-trimpath -buildvcs=false", "SALES_TEST_DB_URL=", "SHOP_TEST_DB_URL=", gateVar+"=")
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make test in the renamed copy: %v\n%s", err, tail(msg, 80))
		}
	})
}

// tail is the last n lines of out.
func tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// repoRoot returns the repository root: the folder that holds the
// tools module, whose root is the nearest folder above the test's with a
// go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Dir(dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// copyRepository copies into dst what a clone of src would hold: the files
// git tracks or would track (as they are in the working tree, uncommitted
// changes included), and the vendor folders even where they are ignored.
//
// It is tools/internal/repocopy's Copy again, on purpose: rename
// leaves its own folder as it is, so its tests import nothing of the
// module, whose path the rename changes.
func copyRepository(t *testing.T, src, dst string) {
	t.Helper()
	cmd := exec.Command("git", "-C", src, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	listed, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}

	var files []string
	for _, f := range strings.Split(string(listed), "\x00") {
		if f == "" {
			continue
		}
		files = append(files, f)
		if path.Base(f) == "go.mod" {
			files = append(files, vendored(t, src, path.Dir(f))...)
		}
	}
	slices.Sort(files)
	files = slices.Compact(files)

	for _, f := range files {
		if err := copyFile(filepath.Join(src, filepath.FromSlash(f)), filepath.Join(dst, filepath.FromSlash(f))); err != nil {
			t.Fatalf("copy %s: %v", f, err)
		}
	}
}

// vendored returns the files of the module at dir's vendor folder.
func vendored(t *testing.T, root, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(root, filepath.FromSlash(dir), "vendor"), func(full string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, full)
		if err != nil {
			return err
		}
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatalf("list %s/vendor: %v", dir, err)
	}
	return files
}

// copyFile copies a file or a symlink. A file git lists but the working
// tree has deleted, or a submodule, is not copied.
func copyFile(from, to string) error {
	info, err := os.Lstat(from)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(from)
		if err != nil {
			return err
		}
		return os.Symlink(target, to)
	case info.Mode().IsRegular():
		data, err := os.ReadFile(from)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, info.Mode().Perm())
	}
	return nil
}

// findLeftovers returns each line of a text file under root that holds a
// template token, outside what the rename leaves alone on purpose.
func findLeftovers(t *testing.T, root string) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(root, func(full string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, full)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if skipDirs[d.Name()] || rel == selfDir {
				return filepath.SkipDir
			}
			return nil
		}
		if keptExt[path.Ext(rel)] {
			return nil
		}
		data, err := os.ReadFile(full)
		if err != nil || bytes.IndexByte(data, 0) >= 0 {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.ReplaceAll(strings.ReplaceAll(line, gateVar, ""), licenseHolder, "")
			for _, tok := range leftovers {
				if strings.Contains(line, tok) {
					hits = append(hits, fmt.Sprintf("%s:%d: %s in %q", rel, i+1, tok, strings.TrimSpace(line)))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// rewrittenGoFiles returns the Go files of dst, by slash path, that differ
// from the file of src they were renamed from.
func rewrittenGoFiles(t *testing.T, src, dst string, r *replacer) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(src, func(full string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && skipDirs[d.Name()] {
			return filepath.SkipDir
		}
		if d.IsDir() || path.Ext(d.Name()) != ".go" {
			return nil
		}
		rel, err := filepath.Rel(src, full)
		if err != nil {
			return err
		}
		renamed, _ := r.replace(filepath.ToSlash(rel))
		before, err := os.ReadFile(full)
		if err != nil {
			return err
		}
		after, err := os.ReadFile(filepath.Join(dst, filepath.FromSlash(renamed)))
		if errors.Is(err, fs.ErrNotExist) {
			return nil // not in the copy: a file git does not know
		}
		if err != nil {
			return err
		}
		if !bytes.Equal(before, after) {
			files = append(files, renamed)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("the rename rewrote no Go file")
	}
	return files
}

// readFile returns a file under root by slash path.
func readFile(t *testing.T, root, p string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
