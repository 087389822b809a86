package readme_test

import (
	"os/exec"
	"strings"
	"testing"
)

// layers ranks the module's top folders: a package imports only from its
// own layer or one below.
var layers = map[string]int{"docs": 0, "foundation": 0, "business": 1, "app": 2, "api": 3}

// TestImportsGoDown checks the layering rule on every package's imports
// (tests included): api → app → business → foundation, business without
// net/http, and an app domain that reaches a store only through its
// business.
func TestImportsGoDown(t *testing.T) {
	const module = "github.com/garagesale/service/"
	out, err := exec.Command("go", "list", "-f",
		`{{.ImportPath}}|{{join .Imports ","}},{{join .TestImports ","}},{{join .XTestImports ","}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}

	layerOf := func(path string) (string, int, bool) {
		rel, ok := strings.CutPrefix(path, module)
		if !ok {
			return "", 0, false
		}
		top, _, _ := strings.Cut(rel, "/")
		n, ok := layers[top]
		return rel, n, ok
	}

	checked := 0
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, "|")
		rel, layer, ok := layerOf(pkg)
		if !ok {
			continue
		}
		checked++
		for imp := range strings.SplitSeq(imports, ",") {
			if imp == "" {
				continue
			}
			if imp == "net/http" && strings.HasPrefix(rel, "business/") {
				t.Errorf("%s imports net/http: the business layer knows nothing of HTTP", rel)
			}
			impRel, impLayer, ok := layerOf(imp)
			if !ok || strings.HasSuffix(impRel, "_test") {
				continue
			}
			if impLayer > layer {
				t.Errorf("%s imports %s: imports go down, api → app → business → foundation", rel, impRel)
			}
			if strings.HasPrefix(rel, "app/domain/") && strings.Contains(impRel, "/stores/") {
				t.Errorf("%s imports the store %s: an app domain calls its business", rel, impRel)
			}
		}
	}
	if checked < 40 {
		t.Errorf("checked %d packages; go list found fewer than the module has", checked)
	}
}
