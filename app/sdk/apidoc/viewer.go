package apidoc

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/garagesale/service/foundation/web"
)

// redocGz is Redoc's standalone bundle, the version zarf/docs pins,
// gzipped by make docs-viewer: a third of the size in the binary, and what
// browsers take anyway.
//
//go:embed viewer/redoc.standalone.js.gz
var redocGz []byte

// redocJS is the bundle unzipped, for a client that takes no gzip.
var redocJS = sync.OnceValues(func() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(redocGz))
	if err != nil {
		return nil, fmt.Errorf("the embedded viewer: %w", err)
	}
	return io.ReadAll(zr)
})

// redocSum is the bundle's sha256, hex: the script's address carries part
// of it, so a new bundle is a new address to a browser's cache.
var redocSum = sync.OnceValue(func() string {
	sum := sha256.Sum256(redocGz)
	return hex.EncodeToString(sum[:])
})

// pageCSP lets the page run the viewer and nothing else. Every source is
// one Redoc uses:
//   - script-src 'self': the bundle, from the API itself; no inline script.
//   - style-src 'unsafe-inline': styled-components, in the bundle, writes
//     its CSS into <style> elements it creates. Redoc's nonce option does
//     not help: some styles still come without it and the page breaks.
//     CSS slipped into the page could load nothing under this policy.
//   - img-src data:: the icons are SVGs in data: URLs.
//   - connect-src 'self': the viewer fetches the document.
//   - worker-src blob:: search runs in a worker built from a blob: URL.
//
// Fonts are left out: Redoc names system fonts and loads none. Everything
// else is 'none': no frames, no form posts, no <base> to move the relative
// addresses. The one thing refused that Redoc asks for is the Redocly logo
// from cdn.redoc.ly: Redoc leaves the image out and keeps the link.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// scriptCSP is the default policy of every response: it matters only if a
// browser is sent to the script as a page, and it runs nothing there.
const scriptCSP = "default-src 'none'; frame-ancestors 'none'"

// Page returns the documentation page: Redoc rendering the OpenAPI
// document at specURL, its script loaded from scriptURL (the route
// answering Script). Paths such as /v1/openapi.json keep the page to its
// origin, which its policy requires.
func Page(specURL, scriptURL, title string) web.Encoder {
	sep := "?"
	if strings.Contains(scriptURL, "?") {
		sep = "&"
	}
	// A prefix of the sum is enough to tell versions apart.
	src := scriptURL + sep + "v=" + redocSum()[:16]

	// Redoc reads its options from the <redoc> element's attributes, so
	// the page needs no script of its own; the script comes after the
	// element, which it looks for as it runs.
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<title>" + html.EscapeString(title) + "</title>\n")
	// Redoc's layout fills the window; the default margin would frame it.
	b.WriteString("<style>body { margin: 0; }</style>\n</head>\n<body>\n")
	b.WriteString("<redoc spec-url=\"" + html.EscapeString(specURL) + "\"></redoc>\n")
	b.WriteString("<script src=\"" + html.EscapeString(src) + "\"></script>\n")
	b.WriteString("</body>\n</html>\n")
	return page(b.String())
}

// page is the documentation page's HTML.
type page string

// Encode implements web.Encoder.
func (p page) Encode() ([]byte, string, error) {
	return []byte(p), "text/html; charset=utf-8", nil
}

// HTTPHeader replaces the API's defaults that would stop the page working.
// The page holds nothing private, so it may be stored: no-cache still
// asks for it each time, so a new version shows at once, while going back
// to it shows it as it was (browsers keep no-store out of their
// back/forward cache).
func (page) HTTPHeader() http.Header {
	return http.Header{
		"Content-Security-Policy": {pageCSP},
		"Cache-Control":           {"no-cache"},
	}
}

// Script returns the viewer's JavaScript, the bundle embedded in the
// binary: gzipped as it is for a client whose request r accepts gzip.
func Script(r *http.Request) web.Encoder {
	return script{gzip: AcceptsGzip(r)}
}

// script is the viewer's JavaScript.
type script struct {
	gzip bool
}

// Encode implements web.Encoder.
func (s script) Encode() ([]byte, string, error) {
	const contentType = "application/javascript; charset=utf-8"
	if s.gzip {
		return redocGz, contentType, nil
	}
	js, err := redocJS()
	return js, contentType, err
}

// HTTPHeader lets browsers and proxies keep the script, whose address
// names its version. A day, not the year such an address would allow:
// while an update rolls out, a page from a new instance may ask an old
// one, whose older bundle is then kept under the new address.
func (s script) HTTPHeader() http.Header {
	h := http.Header{
		"Content-Security-Policy": {scriptCSP},
		"Cache-Control":           {"public, max-age=86400"},
		"Vary":                    {"Accept-Encoding"},
	}
	if s.gzip {
		h.Set("Content-Encoding", "gzip")
	}
	return h
}
