package pgserver

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ErrNotInstalled is the error, wrapped with what to install, that Start
// returns when it cannot find the PostgreSQL server binaries.
var ErrNotInstalled = errors.New("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found")

// binaries are the programs a bin directory must hold for us to use it.
var binaries = []string{"initdb", "pg_ctl", "postgres"}

// searchDirs lists the directories that may hold the server binaries, most
// preferred first: whatever PATH gives, then pg_config's answer, then the
// fixed places packages install to, newest version first.
func searchDirs() []string {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		// /usr/local/bin/initdb may be a symlink into the real bin directory,
		// which is where its siblings are sure to be.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	for _, pattern := range []string{
		"/usr/lib/postgresql/*/bin",           // Debian, Ubuntu
		"/usr/pgsql-*/bin",                    // PGDG RPMs
		"/opt/homebrew/opt/postgresql*/bin",   // Homebrew on Apple silicon
		"/usr/local/opt/postgresql*/bin",      // Homebrew on Intel
		"/usr/local/Cellar/postgresql*/*/bin", // Homebrew kegs not linked into opt
	} {
		dirs = append(dirs, newestFirst(pattern)...)
	}
	return dirs
}

var versionRE = regexp.MustCompile(`\d+(\.\d+)*`)

// newestFirst returns the directories matching pattern ordered by the
// version number in the part of their paths the wildcards matched, highest
// first, compared number by number so that 10 sorts above 9.6. Paths
// without a version come last.
func newestFirst(pattern string) []string {
	dirs, _ := filepath.Glob(pattern) // the patterns are constant and valid
	fixed := pattern[:strings.IndexAny(pattern, "*?[")]
	slices.SortStableFunc(dirs, func(a, b string) int {
		return compareVersions(version(strings.TrimPrefix(b, fixed)), version(strings.TrimPrefix(a, fixed)))
	})
	return dirs
}

func version(path string) []int {
	var v []int
	for _, s := range strings.Split(versionRE.FindString(path), ".") {
		if n, err := strconv.Atoi(s); err == nil {
			v = append(v, n)
		}
	}
	return v
}

func compareVersions(a, b []int) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] - b[i]
		}
	}
	return len(a) - len(b)
}

// findBinDir returns the first of dirs that holds every server binary.
func findBinDir(dirs []string) (string, error) {
	for _, dir := range dirs {
		if hasBinaries(dir) {
			return dir, nil
		}
	}
	return "", fmt.Errorf(`%w.
Install the PostgreSQL server:
  Debian/Ubuntu:  apt-get install postgresql
  Fedora/RHEL:    dnf install postgresql-server
  Alpine:         apk add postgresql
  macOS:          brew install postgresql
or use a server you already have: set SALES_TEST_DB_URL (for tests, a postgres:// URL
of a user allowed to CREATE DATABASE) or SALES_DB_HOST, SALES_DB_USER, SALES_DB_PASSWORD
(for the service)`, ErrNotInstalled)
}

func hasBinaries(dir string) bool {
	for _, name := range binaries {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}
