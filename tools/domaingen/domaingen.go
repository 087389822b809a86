// Package domaingen writes a new domain into the kit: its business core,
// store, HTTP layer, migration, seed rows, business tests and HTTP
// role-matrix tests, and the lines that wire it into the composition root
// and the API's routes, all from the templates in templates/.
//
// It never overwrites what is there. A file that exists is left alone,
// and reported as edited when it differs from what would be written; a
// wiring line that is present is not added twice. Running it again
// therefore changes nothing, and keeps every edit.
package domaingen

import (
	"bytes"
	"cmp"
	"embed"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/pmezard/go-difflib/difflib"
)

//go:embed templates
var templates embed.FS

// Paths of the files the generator wires a domain into, from the root.
const (
	domainFile = "business/domain/domain.go"
	buildFile  = "api/services/sales/build/build.go"
	sqlDir     = "business/sdk/migrate/sql"
	seedDir    = "business/sdk/migrate/seed"
)

// Markers are the comments wiring lines are added above.
const (
	markerField  = "// New domains: the generator adds a field above this line."
	markerBus    = "// New domains: the generator adds a line above this one."
	markerRoutes = "// New domains: the generator adds their routes above this line."
)

// Action is what the generator does, or would do, with one file.
type Action string

// The actions.
const (
	Create    Action = "create"    // the file is missing: written
	Unchanged Action = "unchanged" // the file is as the generator writes it
	Kept      Action = "kept"      // the file differs: left as it is
	Wire      Action = "wire"      // lines added to a file that exists
)

// Change is one file's part of a run.
type Change struct {
	Path   string
	Action Action
	// Old and New are the file's content before and after; for Kept, New
	// is what the generator would have written.
	Old, New []byte
}

// Plan is every change a run makes or would make.
type Plan struct {
	Data    Data
	Changes []Change
}

// Changed reports whether applying the plan writes anything.
func (p Plan) Changed() bool {
	return slices.ContainsFunc(p.Changes, func(c Change) bool { return c.Action == Create || c.Action == Wire })
}

// Make plans the domain of spec in the repository at root, writing
// nothing.
func Make(root string, spec Spec) (Plan, error) {
	if err := spec.check(); err != nil {
		return Plan{}, err
	}
	module, err := modulePath(root)
	if err != nil {
		return Plan{}, err
	}
	tables := map[string]string{}
	for _, f := range spec.Fields {
		if f.Ref == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, "business/domain", f.Ref+"bus")); err != nil {
			return Plan{}, fmt.Errorf("field %q refers to %q: there is no business/domain/%sbus", f.Name, f.Ref, f.Ref)
		}
		table, err := refTable(root, f.Ref)
		if err != nil {
			return Plan{}, fmt.Errorf("field %q: %w", f.Name, err)
		}
		tables[f.Ref] = table
	}
	plural := cmp.Or(spec.Plural, pluralOf(spec.Name))
	num, err := migrationNumber(root, plural)
	if err != nil {
		return Plan{}, err
	}
	data := newData(module, spec, num, tables)

	files, err := render(data)
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{Data: data}
	for _, path := range sortedKeys(files) {
		c, err := fileChange(root, path, files[path])
		if err != nil {
			return Plan{}, err
		}
		// A table's migration is not edited once it has run: one that
		// differs is a domain made with other fields, or by hand.
		if c.Action == Kept && strings.HasPrefix(path, sqlDir+"/") {
			return Plan{}, fmt.Errorf("%s differs from the migration these fields make: the %s domain exists already, with other fields, "+
				"by hand, or by an older generator. The generator adds domains; change an existing one by hand (with a new migration)", path, spec.Name)
		}
		plan.Changes = append(plan.Changes, c)
	}
	for _, w := range wiring(data) {
		c, err := wireChange(root, w, module)
		if err != nil {
			return Plan{}, err
		}
		plan.Changes = append(plan.Changes, c)
	}
	return plan, nil
}

// Apply writes the plan's creations and wiring; kept files stay as they
// are.
func Apply(root string, p Plan) error {
	for _, c := range p.Changes {
		if c.Action != Create && c.Action != Wire {
			continue
		}
		full := filepath.Join(root, c.Path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, c.New, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Diff is the plan as a unified diff: what a run writes, and how each
// kept file differs from what the generator would write.
func Diff(p Plan) (string, error) {
	var b strings.Builder
	for _, c := range p.Changes {
		if c.Action == Unchanged {
			continue
		}
		from, to := "a/"+c.Path, "b/"+c.Path
		if c.Action == Create {
			from = "/dev/null"
		}
		if c.Action == Kept {
			from, to = c.Path+" (as it is)", c.Path+" (as the generator writes it)"
		}
		d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A: difflib.SplitLines(string(c.Old)), B: difflib.SplitLines(string(c.New)),
			FromFile: from, ToFile: to, Context: 3,
		})
		if err != nil {
			return "", err
		}
		b.WriteString(d)
	}
	return b.String(), nil
}

// render executes every template for data; Go files come out gofmt'ed.
func render(data Data) (map[string][]byte, error) {
	out := make(map[string][]byte)
	err := fs.WalkDir(templates, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		dest, ok := destination(strings.TrimPrefix(path, "templates/"), data)
		if !ok {
			return fmt.Errorf("template %s has no destination", path)
		}
		tmpl, err := template.ParseFS(templates, path)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, data); err != nil {
			return fmt.Errorf("template %s: %w", path, err)
		}
		src := buf.Bytes()
		if strings.HasSuffix(dest, ".go") {
			if src, err = format.Source(src); err != nil {
				return fmt.Errorf("template %s made Go that does not parse: %w", path, err)
			}
		}
		out[dest] = src
		return nil
	})
	return out, err
}

// destination is where a template's file goes.
func destination(tmpl string, d Data) (string, bool) {
	bus := "business/domain/" + d.Bus
	db := bus + "/stores/" + d.DB
	app := "app/domain/" + d.App
	dest, ok := map[string]string{
		"bus/bus.go.tmpl":         bus + "/" + d.Bus + ".go",
		"bus/model.go.tmpl":       bus + "/model.go",
		"bus/bus_test.go.tmpl":    bus + "/" + d.Bus + "_test.go",
		"db/db.go.tmpl":           db + "/" + d.DB + ".go",
		"db/model.go.tmpl":        db + "/model.go",
		"db/plans_test.go.tmpl":   db + "/plans_test.go",
		"app/app.go.tmpl":         app + "/" + d.App + ".go",
		"app/model.go.tmpl":       app + "/model.go",
		"app/route.go.tmpl":       app + "/route.go",
		"sql/migration.sql.tmpl":  sqlDir + "/" + d.Migration + "_" + d.Plural + ".sql",
		"sql/seed.sql.tmpl":       seedDir + "/" + d.Migration + "_" + d.Plural + ".sql",
		"tests/http_test.go.tmpl": "api/services/sales/tests/" + d.Name + "_test.go",
	}[tmpl]
	return dest, ok
}

func fileChange(root, path string, content []byte) (Change, error) {
	old, err := os.ReadFile(filepath.Join(root, path))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Change{Path: path, Action: Create, New: content}, nil
	case err != nil:
		return Change{}, err
	case bytes.Equal(old, content):
		return Change{Path: path, Action: Unchanged, Old: old, New: content}, nil
	}
	return Change{Path: path, Action: Kept, Old: old, New: content}, nil
}

// wire is lines to add to a file: each above its marker, unless the file
// has it already.
type wire struct {
	path  string
	lines []wireLine
}

type wireLine struct {
	text   string // without indentation
	marker string // "" for an import
	// key starts the line: a line that starts so but differs is the same
	// domain wired otherwise, which the generator does not touch.
	key string
}

func wiring(d Data) []wire {
	return []wire{
		{path: domainFile, lines: []wireLine{
			{text: strconv.Quote(d.Module + "/business/domain/" + d.Bus)},
			{text: strconv.Quote(d.Module + "/business/domain/" + d.Bus + "/stores/" + d.DB)},
			{text: d.Type + " *" + d.Bus + ".Business", marker: markerField, key: d.Type + " "},
			{text: "s." + d.Type + " = " + d.Bus + ".NewBusiness(" + d.Bus + ".Config{DB: db, Now: now, Storer: " + d.DB + ".Store{}, Audit: s.Audit})", marker: markerBus, key: "s." + d.Type + " ="},
		}},
		{path: buildFile, lines: []wireLine{
			{text: strconv.Quote(d.Module + "/app/domain/" + d.App)},
			{text: d.App + ".Routes(routes, " + d.App + ".Config{" + d.Type + "Bus: bs." + d.Type + ", Keys: idem})", marker: markerRoutes, key: d.App + ".Routes("},
		}},
	}
}

// spaces folds runs of blanks, so a line gofmt has aligned still matches.
var spaces = regexp.MustCompile(`[ \t]+`)

func wireChange(root string, w wire, module string) (Change, error) {
	old, err := os.ReadFile(filepath.Join(root, w.path))
	if err != nil {
		return Change{}, fmt.Errorf("wire the domain in: %w", err)
	}
	var lines []string
	have := map[string]bool{}
	for line := range strings.SplitSeq(string(old), "\n") {
		line = spaces.ReplaceAllString(strings.TrimSpace(line), " ")
		lines = append(lines, line)
		have[line] = true
	}

	src := string(old)
	for _, l := range w.lines {
		text := spaces.ReplaceAllString(l.text, " ")
		if have[text] {
			continue
		}
		if l.key != "" {
			for _, line := range lines {
				if strings.HasPrefix(line, l.key) {
					return Change{}, fmt.Errorf("%s has the domain already, wired otherwise (%q): the generator adds domains; it does not change one", w.path, line)
				}
			}
		}
		if l.marker == "" {
			src = addImport(src, l.text, module)
			continue
		}
		i := strings.Index(src, l.marker)
		if i < 0 {
			return Change{}, fmt.Errorf("%s has no line %q to add %q above: add it by hand", w.path, l.marker, l.text)
		}
		start := strings.LastIndex(src[:i], "\n") + 1
		indent := src[start:i]
		src = src[:start] + indent + l.text + "\n" + src[start:]
	}
	if src == string(old) {
		return Change{Path: w.path, Action: Unchanged, Old: old, New: old}, nil
	}
	formatted, err := format.Source([]byte(src))
	if err != nil {
		return Change{}, fmt.Errorf("wire the domain into %s: %w", w.path, err)
	}
	return Change{Path: w.path, Action: Wire, Old: old, New: formatted}, nil
}

// addImport adds spec to the import block of src, in the group that holds
// the module's own packages (gofmt sorts it there), else at the block's
// start.
func addImport(src, spec, module string) string {
	start := strings.Index(src, "import (\n")
	if start < 0 {
		return src
	}
	end := start + strings.Index(src[start:], "\n)")
	at := start + len("import (\n")
	for i := at; i < end; {
		next := i + strings.Index(src[i:], "\n") + 1
		if strings.Contains(src[i:next], `"`+module+"/") {
			at = next
		}
		i = next
	}
	return src[:at] + "\t" + spec + "\n" + src[at:]
}

var moduleLine = regexp.MustCompile(`(?m)^module\s+(\S+)`)

func modulePath(root string) (string, error) {
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("run it from the repository's root, the folder with go.mod (or give --root): %w", err)
	}
	m := moduleLine.FindSubmatch(mod)
	if m == nil {
		return "", errors.New("go.mod names no module")
	}
	return string(m[1]), nil
}

// refTable finds the table of domain ref, which a reference's foreign key
// names: the one a migration creates with the primary key ref_id, whatever
// its plural (a view, such as a read model's, cannot be referred to).
func refTable(root, ref string) (string, error) {
	files, err := filepath.Glob(filepath.Join(root, sqlDir, "*.sql"))
	if err != nil {
		return "", err
	}
	create := regexp.MustCompile(`(?is)CREATE TABLE\s+(\w+)\s*\((.*?)\n\);`)
	key := regexp.MustCompile(`PRIMARY KEY\s*\(\s*` + ref + `_id\s*\)`)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		for _, m := range create.FindAllStringSubmatch(string(data), -1) {
			if key.MatchString(m[2]) {
				return m[1], nil
			}
		}
	}
	return "", fmt.Errorf("no migration creates a table with the primary key %s_id: only a domain with a table of its own can be referred to", ref)
}

var migrationName = regexp.MustCompile(`^(\d{5})_(.+)\.sql$`)

// migrationNumber is the number of plural's migration: the one it has, or
// the one after the last.
func migrationNumber(root, plural string) (int, error) {
	entries, err := os.ReadDir(filepath.Join(root, sqlDir))
	if err != nil {
		return 0, fmt.Errorf("read the migrations: %w", err)
	}
	last := 0
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if m[2] == plural {
			return n, nil
		}
		last = max(last, n)
	}
	return last + 1, nil
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
