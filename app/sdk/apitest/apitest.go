// Package apitest runs table-driven HTTP tests against the real API
// handler, with real tokens and a real database. Only tests import it.
package apitest

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Case is one request and what must come back.
type Case struct {
	Name   string
	Method string
	URL    string
	Token  string
	// Body is sent as JSON; a []byte or string is sent as it is.
	Body       any
	Header     http.Header
	StatusCode int
	// Got is a pointer the response body decodes into; nil skips the body.
	Got any
	// Exp is what Got must equal.
	Exp any
	// Cmp compares Got and Exp; nil uses cmp.Diff.
	Cmp func(got, exp any) string
}

// Run sends every case to h, each as a subtest, and checks its status and
// body.
func Run(t *testing.T, h http.Handler, cases []Case) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			resp := Do(t, h, tc.Method, tc.URL, tc.Token, tc.Body, tc.Header)
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("read body: %v", err)
			}

			if resp.StatusCode != tc.StatusCode {
				t.Fatalf("status: got %d, want %d; body: %s", resp.StatusCode, tc.StatusCode, body)
			}
			if tc.Got == nil {
				return
			}
			if err := json.Unmarshal(body, tc.Got); err != nil {
				t.Fatalf("decode body %q: %v", body, err)
			}

			cmpFn := tc.Cmp
			if cmpFn == nil {
				cmpFn = func(got, exp any) string { return cmp.Diff(exp, got) }
			}
			if diff := cmpFn(tc.Got, tc.Exp); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Do sends one request to h and returns the response, having checked the
// exchange against the API's document (see checkContract).
func Do(t testing.TB, h http.Handler, method, url, token string, body any, header http.Header) *http.Response {
	t.Helper()

	var data []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		data = b
	case string:
		data = []byte(b)
	default:
		var err error
		if data, err = json.Marshal(b); err != nil {
			t.Fatalf("marshal body: %v", err)
		}
	}

	req := httptest.NewRequest(method, url, bytes.NewReader(data))
	maps.Copy(req.Header, header)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}

	w := httptest.NewRecorder()
	h.ServeHTTP(w, req.Clone(req.Context()))
	resp := w.Result()
	checkContract(t, req, data, resp, w.Body.Bytes())
	return resp
}

// FreeAddr returns a loopback address with a port free at the time of the
// call, for a server a test starts.
func FreeAddr(t testing.TB) string {
	t.Helper()
	// The kernel may hand the port just closed to the next listen: a
	// process's callers (an API and its debug port) must get two.
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		if _, taken := handedOut.LoadOrStore(addr, true); !taken {
			return addr
		}
	}
	t.Fatal("no free loopback port that was not handed out before")
	return ""
}

// handedOut holds the addresses FreeAddr returned in this process.
var handedOut sync.Map
