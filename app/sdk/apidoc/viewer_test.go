package apidoc_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/garagesale/service/app/sdk/apidoc"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/go-cmp/cmp"
)

// TestViewerHeaders sends the page and the script through the API's own
// middleware and web.Respond, as a browser gets them: the policy and
// caching of each replace the API's defaults, and the rest of the
// defaults stay.
func TestViewerHeaders(t *testing.T) {
	tests := []struct {
		name string
		enc  web.Encoder
		want map[string]string
		csp  map[string]string // directive: its sources
	}{
		{
			name: "page",
			enc:  apidoc.Page("/v1/openapi.json", "/v1/docs/viewer.js", "Sales API"),
			want: map[string]string{
				"Content-Type":           "text/html; charset=utf-8",
				"Cache-Control":          "no-cache",
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "no-referrer",
			},
			csp: map[string]string{
				"default-src":     "'none'",
				"script-src":      "'self'",
				"style-src":       "'unsafe-inline'",
				"img-src":         "data:",
				"connect-src":     "'self'",
				"worker-src":      "blob:",
				"base-uri":        "'none'",
				"form-action":     "'none'",
				"frame-ancestors": "'none'",
			},
		},
		{
			name: "script",
			enc:  apidoc.Script(gzipped),
			want: map[string]string{
				"Content-Type":           "application/javascript; charset=utf-8",
				"Content-Encoding":       "gzip",
				"Vary":                   "Accept-Encoding",
				"Cache-Control":          "public, max-age=86400",
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "no-referrer",
			},
			csp: map[string]string{
				"default-src":     "'none'",
				"frame-ancestors": "'none'",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := serve(t, tt.enc)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			got := map[string]string{}
			for k := range tt.want {
				got[k] = strings.Join(resp.Header.Values(k), ", ")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			csp := resp.Header.Values("Content-Security-Policy")
			if len(csp) != 1 {
				t.Fatalf("%d Content-Security-Policy headers, want 1: %q", len(csp), csp)
			}
			if diff := cmp.Diff(tt.csp, directives(csp[0])); diff != "" {
				t.Errorf("Content-Security-Policy (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPage reads the page as a browser would: the viewer is loaded from
// the script address, at the version of the bundle served, and pointed at the document
// by an attribute; no script is inline, whatever the arguments hold.
func TestPage(t *testing.T) {
	served, _, err := apidoc.Script(gzipped).Encode()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(served)
	version := hex.EncodeToString(sum[:])[:16]

	tests := []struct {
		name                         string
		specURL, scriptURL, title    string
		wantSpec, wantSrc, wantTitle string
	}{
		{
			name:    "the API's routes",
			specURL: "/v1/openapi.json", scriptURL: "/v1/docs/viewer.js", title: "Sales API",
			wantSpec: "/v1/openapi.json", wantSrc: "/v1/docs/viewer.js?v=" + version, wantTitle: "Sales API",
		},
		{
			name:    "a script address with a query keeps it",
			specURL: "/openapi.json?pretty=1", scriptURL: "/viewer.js?lang=en", title: "Docs & more",
			wantSpec: "/openapi.json?pretty=1", wantSrc: "/viewer.js?lang=en&v=" + version, wantTitle: "Docs & more",
		},
		{
			name:      "markup in the arguments stays text",
			specURL:   `/x.json"></redoc><script>alert(1)</script>`,
			title:     `</title><script>alert(1)</script>`,
			wantSpec:  `/x.json"></redoc><script>alert(1)</script>`,
			wantTitle: `</title><script>alert(1)</script>`,
			// The script address is given by the code, never by a user;
			// it is escaped all the same.
			scriptURL: `/v.js" onload="alert(1)`, wantSrc: `/v.js" onload="alert(1)?v=` + version,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := serve(t, apidoc.Page(tt.specURL, tt.scriptURL, tt.title))
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			got := readPage(t, body)
			want := page{
				Title:   tt.wantTitle,
				SpecURL: tt.wantSpec,
				Scripts: []pageScript{{Src: tt.wantSrc}},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("page (-want +got):\n%s\n%s", diff, body)
			}
		})
	}
}

// TestViewerBundle checks that the embedded bundle is the file make
// docs-viewer copied from the package the lockfile pins: its sha256 is the
// one recorded next to it, and it names the pinned version. That catches a
// bundle edited or cut short by hand, and a lockfile moved to another
// version without make docs-viewer. It cannot catch a bundle replaced
// together with its recorded sum (by hand, or a copy of another version's
// files), nor tell the bundle is the registry's: npm ci checks the package
// against the lockfile's hash when make docs-viewer installs it, and that
// hash is of the package's tarball, which is not kept here.
func TestViewerBundle(t *testing.T) {
	bundle := scriptBytes(t)

	recorded, err := os.ReadFile("viewer/redoc.sha256")
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(recorded))
	sum := sha256.Sum256(bundle)
	want := []string{hex.EncodeToString(sum[:]), "redoc.standalone.js"}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("viewer/redoc.sha256 is not the embedded bundle's (-embedded +recorded):\n%s\nrun make docs-viewer", diff)
	}

	data, err := os.ReadFile("../../../zarf/docs/package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	var lock struct {
		Packages map[string]struct{ Version string } `json:"packages"`
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		t.Fatalf("zarf/docs/package-lock.json: %v", err)
	}
	pinned := lock.Packages["node_modules/redoc"].Version
	if pinned == "" {
		t.Fatal("zarf/docs/package-lock.json pins no redoc")
	}
	if !bytes.Contains(bundle, []byte(`"`+pinned+`"`)) {
		t.Errorf("the embedded bundle does not name redoc %s, the version zarf/docs/package-lock.json pins: run make docs-viewer", pinned)
	}
}

// serve answers a request with enc through the API's middleware.
func serve(t *testing.T, enc web.Encoder) *http.Response {
	t.Helper()
	h := mid.SecureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := web.Respond(r.Context(), w, enc); err != nil {
			t.Errorf("respond: %v", err)
		}
	}), nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	return rec.Result()
}

// gzipped is a request that accepts gzip, as every browser's does.
var gzipped = func() *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	return r
}()

func scriptBytes(t *testing.T) []byte {
	t.Helper()
	data, _, err := apidoc.Script(httptest.NewRequest(http.MethodGet, "/", nil)).Encode()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// directives splits a Content-Security-Policy into its directives.
func directives(policy string) map[string]string {
	m := map[string]string{}
	for d := range strings.SplitSeq(policy, ";") {
		name, sources, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			m[name] = sources
		}
	}
	return m
}

// page is what TestPage reads of a page.
type page struct {
	Title   string
	SpecURL string
	Scripts []pageScript
}

// pageScript is a <script> element: where it loads from, and what it
// runs inline (nothing, when all is well).
type pageScript struct {
	Src    string
	Inline string
}

// readPage reads body as HTML with encoding/xml in its lenient mode, which
// takes HTML's void elements and entities. It also fails t if an
// attribute would run script: an event handler or a javascript: URL.
func readPage(t *testing.T, body []byte) page {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity

	var p page
	var open []string // the elements the decoder is in
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return p
		}
		if err != nil {
			t.Fatalf("read the page: %v\n%s", err, body)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			open = append(open, tok.Name.Local)
			for _, a := range tok.Attr {
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
					t.Errorf("<%s> has an event handler, inline script: %s=%q", tok.Name.Local, a.Name.Local, a.Value)
				}
				if u, err := url.Parse(strings.TrimSpace(a.Value)); err == nil && strings.EqualFold(u.Scheme, "javascript") {
					t.Errorf("<%s %s> is a javascript: URL, inline script", tok.Name.Local, a.Name.Local)
				}
			}
			switch tok.Name.Local {
			case "script":
				p.Scripts = append(p.Scripts, pageScript{Src: attr(tok, "src")})
			case "redoc":
				p.SpecURL = attr(tok, "spec-url")
			}
		case xml.EndElement:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		case xml.CharData:
			if len(open) == 0 {
				continue
			}
			switch open[len(open)-1] {
			case "title":
				p.Title += string(tok)
			case "script":
				p.Scripts[len(p.Scripts)-1].Inline += strings.TrimSpace(string(tok))
			}
		}
	}
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
