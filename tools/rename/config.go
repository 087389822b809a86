package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// usage is the command line, printed after a mistake in it.
const usage = "usage: rename --module PATH --name NAME [--root DIR]"

// usageError is a mistake in the arguments rather than in the tree.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// config is a validated request to rename.
type config struct {
	root   string
	module string
	name   string
}

// validName is what the name must look like to be a directory, part of a
// binary and image name, a Kubernetes name and, upper-cased, an
// environment variable prefix, all at once.
var validName = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// validModule is a module path of plain path elements. Go accepts a little
// more; the rest would need quoting somewhere in the kit.
var validModule = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]*(/[A-Za-z0-9._~-]+)*$`)

// newConfig checks the arguments.
func newConfig(root, module, name string) (config, error) {
	switch {
	case module == "" || name == "":
		return config{}, usageError{"both --module and --name are required"}
	case !validModule.MatchString(module):
		return config{}, usageError{fmt.Sprintf("module %q is not a module path like github.com/acme/shop", module)}
	case strings.Contains("/"+module+"/", "/./") || strings.Contains("/"+module+"/", "/../"):
		return config{}, usageError{fmt.Sprintf("module %q has a . or .. element", module)}
	case !validName.MatchString(name):
		return config{}, usageError{fmt.Sprintf("name %q is not a lowercase identifier ([a-z][a-z0-9]*) like shop", name)}
	case name == "metrics":
		// The sidecar owns api/services/metrics and the METRICS_ settings.
		return config{}, usageError{fmt.Sprintf("name %q is the metrics sidecar's", name)}
	}
	return config{root: root, module: module, name: name}, nil
}

// moduleOf returns the module path in root's go.mod.
func moduleOf(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("read module path: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			rest, _, _ = strings.Cut(rest, "//")
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read module path: %w", err)
	}
	return "", fmt.Errorf("read module path: %s has no module line", filepath.Join(root, "go.mod"))
}
