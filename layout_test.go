package readme_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestLayoutNamesEveryFolder: the layout page, and the design page's table
// of layers, name every package a reader looks for there; a package added
// without a word in them fails here instead of leaving the map wrong.
func TestLayoutNamesEveryFolder(t *testing.T) {
	// The layout's map is its first code block; the design's table names
	// packages in backticks. Matching the whole pages would find a
	// package called web or name in any sentence.
	layout, _, _ := strings.Cut(read(t, "docs/layout.md"), "\n```\n\n")
	_, layout, _ = strings.Cut(layout, "```\n")
	design := read(t, "docs/design.md")
	for _, c := range []struct {
		dir   string
		pages map[string]string
		skip  []string
	}{
		{"app/sdk", map[string]string{"layout.md": layout, "design.md": design}, nil},
		{"business/sdk", map[string]string{"layout.md": layout, "design.md": design}, nil},
		{"business/types", map[string]string{"layout.md": layout, "design.md": design}, nil},
		{"foundation", map[string]string{"layout.md": layout, "design.md": design}, nil},
		{"tools", map[string]string{"layout.md": layout}, []string{"vendor", "internal"}},
		{"zarf", map[string]string{"layout.md": layout}, []string{"keys"}},
		{"zarf/k8s", map[string]string{"layout.md": layout}, nil},
	} {
		entries, err := os.ReadDir(c.dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || slices.Contains(c.skip, e.Name()) {
				continue
			}
			word := regexp.MustCompile(`\b` + regexp.QuoteMeta(e.Name()) + `\b`)
			quoted := "`" + e.Name() + "`"
			for page, text := range c.pages {
				if page == "design.md" && !strings.Contains(text, quoted) || page == "layout.md" && !word.MatchString(text) {
					t.Errorf("docs/%s does not name %s", page, filepath.Join(c.dir, e.Name()))
				}
			}
		}
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
