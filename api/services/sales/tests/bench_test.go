package tests

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkAuthenticatedRequest measures the hot path of the API: token
// verification, the user lookup that keeps disabled users out, the rule,
// the handler's query and the JSON response, against a real database.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	e := newEnv(b)
	url := "/v1/users/" + e.user1.ID.String()
	auth := "Bearer " + e.tokens["user1"]

	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodGet, url, nil)
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkListProducts measures a paged, filtered, ordered list with its
// count.
func BenchmarkListProducts(b *testing.B) {
	e := newEnv(b)
	auth := "Bearer " + e.tokens["admin"]

	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodGet, "/v1/products?rows=20&orderBy=name,ASC&name=a", nil)
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
