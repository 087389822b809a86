package apidoc

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/garagesale/service/foundation/web"
)

// AcceptsGzip reports whether r takes a gzipped answer: its
// Accept-Encoding names gzip (or x-gzip) with a weight above zero, or,
// naming neither, gives * one (RFC 9110 12.5.3: * stands for the codings
// not named; "gzip;q=0" refuses gzip wherever it stands).
func AcceptsGzip(r *http.Request) bool {
	named, star := -1.0, -1.0
	for _, h := range r.Header.Values("Accept-Encoding") {
		for item := range strings.SplitSeq(h, ",") {
			coding, params, _ := strings.Cut(item, ";")
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				named = max(named, weight(params))
			case "*":
				star = weight(params)
			}
		}
	}
	if named >= 0 {
		return named > 0
	}
	return star > 0
}

// weight is the q of an Accept-Encoding item's parameters, 1 when it has
// none, 0 when it cannot be read.
func weight(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0
			}
			return q
		}
	}
	return 1
}

// Document is an OpenAPI document already in JSON, served gzipped to a
// client that takes it: a tenth of its size, zipped once.
type Document struct {
	json []byte
	gz   func() []byte
}

// NewDocument returns doc, a JSON document, to be served.
func NewDocument(doc []byte) *Document {
	return &Document{json: doc, gz: sync.OnceValue(func() []byte {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // the level is valid
		zw.Write(doc)                                          // a bytes.Buffer does not fail
		zw.Close()
		return b.Bytes()
	})}
}

// For returns the document as r takes it.
func (d *Document) For(r *http.Request) web.Encoder {
	if AcceptsGzip(r) {
		return document{body: d.gz(), gzip: true}
	}
	return document{body: d.json}
}

// document is the document's bytes, gzipped or not.
type document struct {
	body []byte
	gzip bool
}

// Encode implements web.Encoder: the bytes as built, not the JSON of a
// byte slice.
func (d document) Encode() ([]byte, string, error) {
	return d.body, "application/json", nil
}

// HTTPHeader says the answer depends on Accept-Encoding, for caches.
func (d document) HTTPHeader() http.Header {
	h := http.Header{"Vary": {"Accept-Encoding"}}
	if d.gzip {
		h.Set("Content-Encoding", "gzip")
	}
	return h
}
