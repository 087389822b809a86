package valid_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoValidateFnRule keeps the validator's validateFn rule out of every
// model, the generator's templates included: the binaries build with
// validator_novalidatefn (the makefile's TAGS), which leaves the rule out
// and panics where a field uses it.
func TestNoValidateFnRule(t *testing.T) {
	root, err := filepath.Abs("../../..") // the module's root, from app/sdk/valid
	if err != nil {
		t.Fatal(err)
	}
	rule := regexp.MustCompile(`validate:"[^"]*\bvalidateFn\b`)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "vendor" || name == "node_modules" || strings.HasPrefix(name, ".") && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".tmpl") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if rule.MatchString(line) {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s:%d uses the validateFn rule, which the binaries' build tags leave out: %s", rel, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
