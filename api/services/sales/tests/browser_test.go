package tests

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/business/sdk/dbtest"
)

// knownRefusals are what the docs page's policy refuses on purpose, as
// chromium names them. Redoc's sidebar shows Redocly's logo from Redocly's
// CDN; the page loads nothing from elsewhere, and Redoc leaves the image
// out when it does not load.
var knownRefusals = []string{
	"Loading the image 'https://cdn.redoc.ly/redoc/logo-mini.svg'",
}

// TestBrowserDocs loads /v1/docs from the real sales-api in headless
// chromium and reads the page as rendered: every path of the OpenAPI
// document the API serves must be on it, and chromium must have refused
// nothing under the page's Content-Security-Policy but knownRefusals, nor
// met a script error. With SALES_TEST_BROWSER_SHOT set to a file name, it
// saves a screenshot there too (make docs-shot).
func TestBrowserDocs(t *testing.T) {
	if os.Getenv("SALES_TEST_BROWSER") != "1" {
		t.Skip("runs chromium: set SALES_TEST_BROWSER=1 (make docs-check)")
	}
	chromium := findChromium(t)
	base := startSalesAPI(t)

	req, _ := http.NewRequest(http.MethodGet, base+"/v1/openapi.json", nil)
	var doc struct {
		Paths map[string]any `json:"paths"`
	}
	getJSON(t, req, http.StatusOK, &doc)
	if len(doc.Paths) == 0 {
		t.Fatal("the served OpenAPI document has no paths")
	}

	resp, err := http.Get(base + "/v1/docs")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/docs: status %d, want 200", resp.StatusCode)
	}

	dom, log := runChromium(t, chromium, "--dump-dom", base+"/v1/docs")

	// Redoc writes each path as the whole text of an element; an href
	// holding it (the download link's) does not count.
	text := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	var missing []string
	for p := range doc.Paths {
		if !strings.Contains(dom, ">"+text.Replace(p)+"<") {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Errorf("the rendered page lacks %d of the document's %d paths: %q\nthe page:\n%s", len(missing), len(doc.Paths), missing, dom)
	}

	for line := range strings.Lines(log) {
		refused := strings.Contains(line, "Content Security Policy") || strings.Contains(line, "Refused to")
		if refused && !slices.ContainsFunc(knownRefusals, func(k string) bool { return strings.Contains(line, k) }) {
			t.Errorf("chromium refused part of the page: %s", strings.TrimSpace(line))
		}
		if strings.Contains(line, "Uncaught") {
			t.Errorf("a script error on the page: %s", strings.TrimSpace(line))
		}
	}

	if shot := os.Getenv("SALES_TEST_BROWSER_SHOT"); shot != "" {
		runChromium(t, chromium, "--screenshot="+shot, "--window-size=1280,900", "--hide-scrollbars", base+"/v1/docs")
		if fi, err := os.Stat(shot); err != nil || fi.Size() == 0 {
			t.Fatalf("no screenshot in %s: %v", shot, err)
		}
		t.Logf("screenshot in %s", shot)
	}
}

// findChromium returns chromium's path. The test was asked for, so a
// missing browser fails it rather than skipping.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium on PATH: install it (Debian/Ubuntu: apt-get install chromium)")
	return ""
}

// runChromium runs headless chromium on args and returns what it wrote:
// its output (the DOM, for --dump-dom) and its log, where the page's
// console messages and policy refusals are. Virtual time lets the page's
// scripts run their course before chromium dumps or shoots it, without
// waiting as long in real time.
func runChromium(t *testing.T, chromium string, args ...string) (stdout, log string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	cmd := exec.CommandContext(ctx, chromium, append([]string{
		"--headless", "--disable-gpu", "--no-sandbox",
		"--no-first-run", "--user-data-dir=" + t.TempDir(),
		"--virtual-time-budget=15000",
		"--enable-logging=stderr", "--v=0",
	}, args...)...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, errs.String())
	}
	return out.String(), errs.String()
}

// startSalesAPI builds sales-api and starts it against a database of the
// test's own, and returns its base URL.
func startSalesAPI(t *testing.T) string {
	t.Helper()
	return runSalesAPI(t, buildSalesAPI(t), dbtest.New(t, t.Name())).base
}
