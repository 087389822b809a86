package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// skipDirs are never entered: history, third-party code (vendor/modules.txt
// names the dependencies, never the main module), and what builds and local
// runs leave behind.
var skipDirs = map[string]bool{".git": true, "vendor": true, ".data": true, "bin": true}

// selfDir is this program. Its rules spell the template's names, so it
// keeps them: renamed, it could no longer tell what to rename.
const selfDir = "tools/rename"

// keptExt are files left as they are. SQL files are the example
// application's migrations and seeds; a migration is history besides: a
// database migrated before the rename keeps what it ran.
var keptExt = map[string]bool{".sql": true}

// edit is a text file to rewrite.
type edit struct {
	path  string // slash path from the root, before any move
	count int    // tokens replaced
	data  []byte
}

// move is a file or directory whose own name changes.
type move struct {
	from, to string // slash paths from the root
}

// plan is every change of a rename, found before any is made, so that a
// rename that cannot finish leaves the tree as it was.
type plan struct {
	edits []edit
	moves []move // deepest first: a move never changes the path of one after it
}

// planTree walks the tree at root and works out its edits and moves.
func planTree(root string, r *replacer) (plan, error) {
	var p plan
	err := filepath.WalkDir(root, func(full string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, full)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if skipDirs[d.Name()] || rel == selfDir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && keptExt[path.Ext(rel)] {
			return nil
		}

		if m, ok, err := planMove(root, rel, r); err != nil {
			return err
		} else if ok {
			p.moves = append(p.moves, m)
		}

		if !d.Type().IsRegular() {
			return nil
		}
		e, ok, err := planEdit(full, rel, r)
		if err != nil {
			return err
		}
		if ok {
			p.edits = append(p.edits, e)
		}
		return nil
	})
	if err != nil {
		return plan{}, err
	}

	slices.SortStableFunc(p.moves, func(a, b move) int {
		return strings.Count(b.from, "/") - strings.Count(a.from, "/")
	})
	return p, nil
}

// planMove returns the move of rel if its own name holds a token; a token
// in a parent's name is the parent's move.
func planMove(root, rel string, r *replacer) (move, bool, error) {
	renamed, n := r.replace(rel)
	if n == 0 {
		return move{}, false, nil
	}
	dir := path.Dir(rel)
	newDir, _ := r.replace(dir)
	if path.Dir(renamed) != newDir {
		return move{}, false, fmt.Errorf("rename %s to %s: the new name crosses directories", rel, renamed)
	}
	base := path.Base(renamed)
	if base == path.Base(rel) {
		return move{}, false, nil
	}

	to := path.Join(dir, base)
	if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(to))); err == nil {
		return move{}, false, fmt.Errorf("rename %s to %s: %s exists", rel, renamed, to)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return move{}, false, fmt.Errorf("rename %s: %w", rel, err)
	}
	return move{from: rel, to: to}, true, nil
}

// planEdit returns the rewrite of a text file that holds tokens. Binary
// files are left alone: a token in them is not text to rename.
func planEdit(full, rel string, r *replacer) (edit, bool, error) {
	data, err := os.ReadFile(full)
	if err != nil {
		return edit{}, false, fmt.Errorf("read %s: %w", rel, err)
	}
	if bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 {
		return edit{}, false, nil
	}
	text, n := r.replace(string(data))
	if n == 0 {
		return edit{}, false, nil
	}
	out := []byte(text)

	// A module path of another length moves aligned columns, and one that
	// sorts differently reorders imports; gofmt puts both right. A file gofmt
	// cannot parse is written as replaced: the build will say what is wrong.
	if strings.HasSuffix(rel, ".go") {
		if formatted, err := format.Source(out); err == nil {
			out = formatted
		}
	}
	return edit{path: rel, count: n, data: out}, true, nil
}

// apply makes the plan's changes, the edits in place then the moves, and
// reports each to out as it is made.
func (p plan) apply(root string, out io.Writer) error {
	for _, e := range p.edits {
		full := filepath.Join(root, filepath.FromSlash(e.path))
		// WriteFile keeps the mode of a file that exists: scripts stay executable.
		if err := os.WriteFile(full, e.data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", e.path, err)
		}
		fmt.Fprintf(out, "rewrote %s (%d)\n", e.path, e.count)
	}
	for _, m := range p.moves {
		from := filepath.Join(root, filepath.FromSlash(m.from))
		to := filepath.Join(root, filepath.FromSlash(m.to))
		if err := os.Rename(from, to); err != nil {
			return fmt.Errorf("move %s: %w", m.from, err)
		}
		fmt.Fprintf(out, "moved   %s -> %s\n", m.from, m.to)
	}
	return nil
}
