package domaingen_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/garagesale/service/tools/domaingen"
	"github.com/garagesale/service/tools/internal/repocopy"
	"github.com/google/go-cmp/cmp"
)

// everyKind is a domain with one field of every kind and a reference to
// products, named so that it is new in root: a tree where someone tried
// the README's widget already has one.
func everyKind(t *testing.T, root string) domaingen.Spec {
	t.Helper()
	name := "gadget"
	for i := 2; ; i++ {
		if _, err := os.Stat(filepath.Join(root, "business/domain", name+"bus")); err != nil {
			break
		}
		name = fmt.Sprintf("gadget%d", i)
	}
	spec := domaingen.Spec{Name: name}
	for _, f := range []string{"label:string", "count:int", "price:money", "stock:quantity", "active:bool", "dueAt:time", "tag:uuid", "productID:uuid:product"} {
		fs, err := domaingen.ParseField(f)
		if err != nil {
			t.Fatalf("parse %q: %v", f, err)
		}
		spec.Fields = append(spec.Fields, fs)
	}
	return spec
}

func generate(t *testing.T, root string, spec domaingen.Spec) domaingen.Plan {
	t.Helper()
	plan, err := domaingen.Make(root, spec)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if err := domaingen.Apply(root, plan); err != nil {
		t.Fatalf("apply: %v", err)
	}
	return plan
}

// actions maps each path of a plan to what it did there.
func actions(p domaingen.Plan) map[string]domaingen.Action {
	out := make(map[string]domaingen.Action)
	for _, c := range p.Changes {
		out[c.Path] = c.Action
	}
	return out
}

// run runs a go command in dir and returns its output, or fails the test
// with it.
func run(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	// -trimpath keeps the build cache's keys free of the folder, so
	// the copy reuses what the tree's own tests compiled (make test
	// builds with it too, and with the build tags its GOFLAGS carries).
	cmd.Env = append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=vendor -trimpath"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestGeneratedDomainBuildsAndPasses generates a domain with every kind
// of field into a copy of the repository and runs what a developer would:
// build, vet, the document's checks and the generated tests. Then it runs
// the generator again, and again after a generated file was edited.
func TestGeneratedDomainBuildsAndPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("copies and builds the repository")
	}
	root := t.TempDir()
	repocopy.Copy(t, repocopy.Root(t), root)
	spec := everyKind(t, root)
	bus, app := spec.Name+"bus", spec.Name+"app"

	first := generate(t, root, spec)
	for path, a := range actions(first) {
		if a != domaingen.Create && a != domaingen.Wire {
			t.Errorf("first run: %s: %s, want create or wire", path, a)
		}
	}

	run(t, root, "build", "./...")
	run(t, root, "vet", "./...")
	run(t, root, "run", "./api/tooling/openapi", "-o", "docs/openapi.json")
	out := run(t, root, "test", "-count=1", "-v",
		"./business/domain/"+bus+"/...", "./business/domain/", "./api/tooling/openapi/",
		"./api/services/sales/tests/", "-run", "(?i)"+spec.Name+"|OrdersReadAnIndex|WiresEveryBusiness|RoundTrip|Document|Documented")
	// The store's plan test grows the table and reads every ordering's
	// plan: each field's and dateCreated's, each way.
	if got, want := strings.Count(out, "--- PASS: TestOrdersReadAnIndex/"), 2*(len(spec.Fields)+2); got != want {
		t.Errorf("the generated plan test passed %d orderings, want %d:\n%s", got, want, out)
	}

	t.Run("a second run changes nothing", func(t *testing.T) {
		before := snapshot(t, root, first)
		again := generate(t, root, spec)
		for path, a := range actions(again) {
			if a != domaingen.Unchanged {
				t.Errorf("%s: %s, want unchanged", path, a)
			}
		}
		if diff := cmp.Diff(before, snapshot(t, root, first)); diff != "" {
			t.Errorf("files changed (-before +after):\n%s", diff)
		}
	})

	t.Run("an edited file is kept", func(t *testing.T) {
		rel := "app/domain/" + app + "/route.go"
		path := filepath.Join(root, rel)
		edited, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		edited = append(edited, []byte("\n// An edit of our own.\n")...)
		if err := os.WriteFile(path, edited, 0o644); err != nil {
			t.Fatal(err)
		}

		plan := generate(t, root, spec)
		if got := actions(plan)[rel]; got != domaingen.Kept {
			t.Errorf("edited file: %s, want kept", got)
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(after, edited) {
			t.Errorf("the edit was lost")
		}
		diff, err := domaingen.Diff(plan)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(diff, "-// An edit of our own.") {
			t.Errorf("the diff does not show the edit:\n%s", diff)
		}
	})
}

// snapshot reads every file a plan touched.
func snapshot(t *testing.T, root string, p domaingen.Plan) map[string]string {
	t.Helper()
	out := make(map[string]string)
	for _, c := range p.Changes {
		data, err := os.ReadFile(filepath.Join(root, c.Path))
		if err != nil {
			t.Fatal(err)
		}
		out[c.Path] = string(data)
	}
	return out
}

// TestWiringNeedsItsMarkers: a composition root whose marker was removed
// is reported, not guessed at.
func TestWiringNeedsItsMarkers(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"go.mod":                               "module example.com/m\n\ngo 1.26\n",
		"business/domain/domain.go":            "package domain\n\nimport (\n)\n\ntype Set struct{}\n",
		"api/services/sales/build/build.go":    "package build\n",
		"business/sdk/migrate/sql/00001_x.sql": "-- +goose Up\n",
	}
	for path, content := range files {
		full := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	spec := domaingen.Spec{Name: "widget", Fields: []domaingen.FieldSpec{{Name: "label", Kind: "string"}}}
	_, err := domaingen.Make(root, spec)
	if err == nil || !strings.Contains(err.Error(), "add it by hand") {
		t.Errorf("got %v, want an error naming the missing marker", err)
	}
}

// TestExistingDomainsAreRefused: the generator adds domains; named after
// one the kit has, or one made with other fields, it writes nothing.
func TestExistingDomainsAreRefused(t *testing.T) {
	root := repocopy.Root(t)
	tests := []struct {
		name string
		want string
	}{
		{"product", "differs from the migration these fields make"},
		{"check", "wired otherwise"},
		{"doc", "wired otherwise"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := domaingen.Spec{Name: tt.name, Fields: []domaingen.FieldSpec{{Name: "label", Kind: "string"}}}
			_, err := domaingen.Make(root, spec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
