package apidoc_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/garagesale/service/app/sdk/apidoc"
	"github.com/google/go-cmp/cmp"
)

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header []string // Accept-Encoding headers, in order
		want   bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"gzip, deflate, br"}, true},
		{[]string{"br, GZIP;q=0.5"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"*"}, true},
		{[]string{"deflate", "gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"gzip;q=nonsense"}, false},
		{[]string{"identity"}, false},
		{[]string{"gzip;q=0, *"}, false}, // gzip named and refused; * is any other
		{[]string{"*, gzip;q=0"}, false}, // wherever it stands
		{[]string{"*;q=0, gzip"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"br", "*;q=0.1"}, true},
		{[]string{"gzipped, br"}, false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, h := range tt.header {
			r.Header.Add("Accept-Encoding", h)
		}
		if got := apidoc.AcceptsGzip(r); got != tt.want {
			t.Errorf("Accept-Encoding %q: %v, want %v", tt.header, got, tt.want)
		}
	}
}

// TestDocumentGzipped: a client that takes gzip gets the document zipped,
// which unzips to the document; one that does not gets it as it is.
func TestDocumentGzipped(t *testing.T) {
	doc := bytes.Repeat([]byte(`{"openapi": "3.1.0", "paths": {}}`+"\n"), 500)
	d := apidoc.NewDocument(doc)

	plain := serve(t, d.For(httptest.NewRequest(http.MethodGet, "/", nil)))
	got, _ := io.ReadAll(plain.Body)
	if !bytes.Equal(got, doc) || plain.Header.Get("Content-Encoding") != "" {
		t.Errorf("without gzip: %d bytes, Content-Encoding %q; want the document's %d as they are",
			len(got), plain.Header.Get("Content-Encoding"), len(doc))
	}

	zipped := serve(t, d.For(gzipped))
	want := map[string]string{"Content-Encoding": "gzip", "Vary": "Accept-Encoding", "Content-Type": "application/json"}
	headers := map[string]string{}
	for k := range want {
		headers[k] = zipped.Header.Get(k)
	}
	if diff := cmp.Diff(want, headers); diff != "" {
		t.Errorf("gzipped headers (-want +got):\n%s", diff)
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatalf("the gzipped answer: %v", err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, doc) {
		t.Errorf("unzipped: %d bytes (%v), want the document's %d", len(unzipped), err, len(doc))
	}
}
