package tests

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/garagesale/service/app/sdk/apitest"
)

// TestDocsServed: the document, the page and its script are served to
// anyone, each with its content type, the page under a policy that lets
// it run only its own script.
func TestDocsServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tt := range []struct {
		path, contentType, holds string
	}{
		{"/v1/openapi.json", "application/json", `"openapi": "3.1.0"`},
		{"/v1/docs", "text/html; charset=utf-8", `spec-url="/v1/openapi.json"`},
		{"/v1/docs/viewer.js", "application/javascript; charset=utf-8", "redoc"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			resp := apitest.Do(t, e.h, http.MethodGet, tt.path, "", nil, nil)
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != tt.contentType {
				t.Fatalf("%d %s, want 200 %s", resp.StatusCode, resp.Header.Get("Content-Type"), tt.contentType)
			}
			if !strings.Contains(string(body), tt.holds) {
				t.Errorf("the body does not hold %q", tt.holds)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") && tt.path == "/v1/docs" {
				t.Errorf("the page's policy %q does not limit scripts to its own", csp)
			}
		})
	}

	// The document and the script go gzipped to a client that takes it.
	for _, path := range []string{"/v1/openapi.json", "/v1/docs/viewer.js"} {
		resp := apitest.Do(t, e.h, http.MethodGet, path, "", nil, http.Header{"Accept-Encoding": {"gzip"}})
		if got := resp.Header.Get("Content-Encoding"); got != "gzip" {
			t.Errorf("%s to a client taking gzip: Content-Encoding %q, want gzip", path, got)
		}
	}
}
