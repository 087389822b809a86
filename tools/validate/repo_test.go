package validate

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// serviceModule is the module the kit's binaries are in, two folders up
// from this one's.
const serviceModule = "github.com/garagesale/service"

// repoRoot returns the root of the service's repository.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatalf("repository root: %v", err)
	}
	if !bytes.Contains(data, []byte("module "+serviceModule+"\n")) {
		t.Fatalf("%s/go.mod is not module %s", dir, serviceModule)
	}
	return dir
}

// readRepoFile returns a file of the repository by its slash path.
func readRepoFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// =============================================================================
// The service binaries and their settings

// setting is one configuration variable of a binary, from its --help.
type setting struct {
	Type    string // string, int, bool, duration, float
	Default string
}

// binary is what a built binary says about itself.
type binary struct {
	// Prefix of its environment variables, with the underscore: SALES_.
	Prefix   string
	Settings map[string]setting
}

// binaries names the kit's binaries by the package they are built from.
var binaries = map[string]string{
	"sales-api":   "./api/services/sales",
	"sales-admin": "./api/tooling/sales-admin",
	"metrics":     "./api/services/metrics",
}

var (
	buildOnce sync.Once
	built     map[string]binary
	buildErr  error
)

// helpLine is a line of the ENVIRONMENT section of an ardanlabs/conf help:
//
//	SALES_DB_HOST    <string>    (default: localhost:5432)
var helpLine = regexp.MustCompile(`^\s+([A-Z][A-Z0-9_]*)\s+<([a-z0-9]+)>\s*(?:\(default: (.*?)\))?`)

// builtBinaries builds every binary of the kit from the repository root,
// the way the dockerfiles and make release do (vendor/, no cgo, the same
// tags and -trimpath, so TestMakeRelease reuses what this compiled), and
// asks each for --help. It builds once per test run.
func builtBinaries(t *testing.T) map[string]binary {
	t.Helper()
	root := repoRoot(t)
	buildOnce.Do(func() {
		// Only the parsed --help outlives this test, so its TempDir will do.
		out := t.TempDir()

		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		// One go build for all: the packages compile in parallel and share
		// their dependencies. Each binary is named for its folder.
		args := []string{"build", "-mod=vendor", "-trimpath", "-tags", makeTags(t), "-o", out + string(filepath.Separator)}
		for _, pkg := range binaries {
			args = append(args, pkg)
		}
		cmd := exec.Command(goTool, args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=-mod=vendor")
		if msg, err := cmd.CombinedOutput(); err != nil {
			buildErr = &buildError{pkg: "go " + strings.Join(args, " "), msg: string(msg), err: err}
			return
		}

		built = make(map[string]binary)
		for name, pkg := range binaries {
			exe := filepath.Join(out, filepath.Base(pkg))
			help, err := exec.Command(exe, "--help").Output()
			if err != nil {
				buildErr = &buildError{pkg: name + " --help", msg: string(help), err: err}
				return
			}
			b, err := parseHelp(string(help))
			if err != nil {
				buildErr = &buildError{pkg: name + " --help", msg: string(help), err: err}
				return
			}
			built[name] = b
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

type buildError struct {
	pkg string
	msg string
	err error
}

func (e *buildError) Error() string { return e.pkg + ": " + e.err.Error() + "\n" + e.msg }

// parseHelp reads the ENVIRONMENT section of a conf --help.
func parseHelp(help string) (binary, error) {
	b := binary{Settings: make(map[string]setting)}
	_, env, ok := strings.Cut(help, "\nENVIRONMENT\n")
	if !ok {
		return b, errNoEnvSection
	}
	for line := range strings.SplitSeq(env, "\n") {
		if strings.TrimSpace(line) == "" {
			break
		}
		m := helpLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		b.Settings[m[1]] = setting{Type: m[2], Default: m[3]}
		if b.Prefix == "" {
			prefix, _, _ := strings.Cut(m[1], "_")
			b.Prefix = prefix + "_"
		}
	}
	if len(b.Settings) == 0 {
		return b, errNoEnvSection
	}
	return b, nil
}

type helpError string

func (e helpError) Error() string { return string(e) }

const errNoEnvSection = helpError("no settings in the ENVIRONMENT section of --help")

// =============================================================================
// The makefile

// makeVar matches a simple variable assignment of the makefile.
var makeVar = regexp.MustCompile(`(?m)^([A-Z][A-Z0-9_]*)[ \t]*(?::=|\?=|=)[ \t]*(.*?)[ \t]*$`)

// makefileVars returns the makefile's simple variables with $(NAME)
// references expanded; values that need the shell are left as they are.
func makefileVars(t *testing.T) map[string]string {
	t.Helper()
	raw := make(map[string]string)
	for _, m := range makeVar.FindAllStringSubmatch(string(readRepoFile(t, "makefile")), -1) {
		if _, seen := raw[m[1]]; !seen {
			raw[m[1]] = m[2]
		}
	}
	ref := regexp.MustCompile(`\$\(([A-Z][A-Z0-9_]*)\)`)
	var expand func(string, int) string
	expand = func(v string, depth int) string {
		if depth > 10 {
			return v
		}
		return ref.ReplaceAllStringFunc(v, func(r string) string {
			name := ref.FindStringSubmatch(r)[1]
			if val, ok := raw[name]; ok {
				return expand(val, depth+1)
			}
			return r
		})
	}
	vars := make(map[string]string, len(raw))
	for k, v := range raw {
		vars[k] = expand(v, 0)
	}
	return vars
}

// makefileImages returns the makefile's image variables (*_IMAGE) by name.
func makefileImages(t *testing.T) map[string]string {
	t.Helper()
	images := make(map[string]string)
	for k, v := range makefileVars(t) {
		if strings.HasSuffix(k, "_IMAGE") {
			images[k] = v
		}
	}
	if len(images) == 0 {
		t.Fatal("makefile defines no *_IMAGE variables")
	}
	return images
}
