package readme_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// mdLink is a markdown link's target: [text](target).
var (
	mdLink     = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	inlineCode = regexp.MustCompile("`[^`]*`")
)

// TestLinksResolve: every link of the README and the pages in docs/ to a
// file of the repository names one that exists, and a link to a heading
// (page.md#heading) names a heading of that page, as GitHub makes its
// anchors. A page deleted or a heading reworded fails here, not in a
// reader's browser.
func TestLinksResolve(t *testing.T) {
	files, err := pages()
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]map[string]bool{} // page → its headings' anchors
	for _, page := range files {
		for _, l := range links(t, page) {
			target, anchor, _ := strings.Cut(l.target, "#")
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path := page
			if target != "" {
				path = filepath.Join(filepath.Dir(page), target)
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s:%d: link to %s: no such file", page, l.line, l.target)
				continue
			}
			if anchor == "" || !strings.HasSuffix(path, ".md") {
				continue
			}
			if anchors[path] == nil {
				anchors[path] = headings(t, path)
			}
			if !anchors[path][anchor] {
				t.Errorf("%s:%d: link to %s: %s has no heading with that anchor", page, l.line, l.target, path)
			}
		}
	}
}

type link struct {
	target string
	line   int
}

// links returns the links of the markdown file at path, outside fenced
// code.
func links(t *testing.T, path string) []link {
	t.Helper()
	var out []link
	fenced := false
	scanLines(t, path, func(n int, line string) {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			return
		}
		if fenced {
			return
		}
		// Inline code may show a link's syntax without being one.
		line = inlineCode.ReplaceAllString(line, "")
		for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
			out = append(out, link{target: m[1], line: n})
		}
	})
	return out
}

// headings returns the anchors GitHub gives the headings of the markdown
// file at path: lower case, spaces as hyphens, punctuation dropped, a
// repeated one numbered.
func headings(t *testing.T, path string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	seen := map[string]int{}
	fenced := false
	scanLines(t, path, func(_ int, line string) {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
		}
		if fenced || !strings.HasPrefix(line, "#") {
			return
		}
		text := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(text) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		anchor := b.String()
		if n := seen[anchor]; n > 0 {
			out[anchor+"-"+strconv.Itoa(n)] = true
		} else {
			out[anchor] = true
		}
		seen[anchor]++
	})
	return out
}

func scanLines(t *testing.T, path string, each func(n int, line string)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		each(n, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}
