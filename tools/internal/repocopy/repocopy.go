// Package repocopy copies the repository for tests that change a copy of
// it (rename it, generate a domain into it, edit it under a running fleet)
// and must leave the working tree alone.
package repocopy

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Root returns the repository root: the folder that holds the
// tools module, whose root is the nearest folder above the test's with a
// go.mod.
func Root(t *testing.T) string {
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

// Copy copies into dst what a clone of src would hold: the files
// git tracks or would track (as they are in the working tree, uncommitted
// changes included), and the vendor folders even where they are ignored.
func Copy(t *testing.T, src, dst string) {
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
