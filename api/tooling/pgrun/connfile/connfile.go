// Package connfile reads and writes the connection file pgrun keeps in a
// persistent data directory while its server runs, so that programs
// started elsewhere (sales-admin, make psql, a GUI client) find it. The
// file is KEY=VALUE lines with # comments: an env file, which shells
// (set -a; . FILE) and docker's --env-file read too.
package connfile

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Name is the file's name inside the data directory.
const Name = "connection.env"

// Var is one line of the file.
type Var struct {
	Name  string
	Value string
}

var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Write replaces the file at path with vars, in their order, after a
// header comment. It holds a password, so only its owner may read it, and
// it appears whole or not at all: a reader never sees half of it.
func Write(path, header string, vars []Var) error {
	var b bytes.Buffer
	if header = strings.TrimSpace(header); header != "" {
		for line := range strings.SplitSeq(header, "\n") {
			fmt.Fprintf(&b, "# %s\n", line)
		}
	}
	for _, v := range vars {
		if !nameRE.MatchString(v.Name) {
			return fmt.Errorf("write %s: %q is not a variable name", path, v.Name)
		}
		if strings.ContainsAny(v.Value, "\r\n") {
			return fmt.Errorf("write %s: the value of %s spans lines", path, v.Name)
		}
		fmt.Fprintf(&b, "%s=%s\n", v.Name, v.Value)
	}

	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// CreateTemp makes the file 0600.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = tmp.Write(b.Bytes())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Read returns the variables of the file at path. A missing file is an
// error that wraps os.ErrNotExist.
func Read(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	vars, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return vars, nil
}

// Parse reads KEY=VALUE lines. Blank lines and lines starting with # are
// skipped, an "export " before the name is allowed, and one pair of
// matching quotes around a value is removed, so a file edited by hand the
// way shells write it still reads. A name given twice takes its last value.
func Parse(data []byte) (map[string]string, error) {
	vars := make(map[string]string)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		name = strings.TrimSpace(strings.TrimPrefix(name, "export "))
		if !ok || !nameRE.MatchString(name) {
			// Not quoting the line: it may hold a password.
			return nil, fmt.Errorf("line %d: want NAME=VALUE", n)
		}
		vars[name] = unquote(strings.TrimSpace(value))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return vars, nil
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
