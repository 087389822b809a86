package faults

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDatabaseStopped: with Postgres down every request is answered 503
// unavailable with Retry-After at once, readiness fails on both ports, and
// when Postgres is back the API serves again by itself.
func TestDatabaseStopped(t *testing.T) {
	s := newStack(t)
	admin := s.token("admin@example.com")
	if a := s.do(http.MethodGet, "/v1/products", admin, nil, nil); a.Status != http.StatusOK {
		t.Fatalf("before the outage: %v", a)
	}

	if err := s.pg.Halt(); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{"/v1/products", "/v1/users", "/v1/sales"} {
		a := s.do(http.MethodGet, path, admin, nil, nil)
		if a.Status != http.StatusServiceUnavailable || a.code() != "unavailable" {
			t.Errorf("GET %s with the database down: %v; want 503 unavailable", path, a)
		}
		if a.Header.Get("Retry-After") == "" {
			t.Errorf("GET %s: 503 without Retry-After", path)
		}
		// The pool's acquire timeout is 1s; dialing a closed port fails
		// at once. A bound, not a speed target: past it, clients pile up.
		if a.Latency > 2*time.Second {
			t.Errorf("GET %s answered after %s, want within 2s", path, a.Latency)
		}
	}
	if a := s.do(http.MethodPost, "/v1/products", admin, map[string]any{"name": "Lamp", "cost": 1, "quantity": 1}, nil); a.Status != http.StatusServiceUnavailable {
		t.Errorf("POST /v1/products with the database down: %v; want 503", a)
	}
	for _, url := range []string{s.api + "/v1/readiness", s.debug + "/debug/readiness"} {
		if a := s.do(http.MethodGet, url, "", nil, nil); a.Status != http.StatusServiceUnavailable {
			t.Errorf("%s with the database down: %v; want 503", url, a)
		}
	}
	if a := s.do(http.MethodGet, s.debug+"/debug/liveness", "", nil, nil); a.Status != http.StatusOK {
		t.Errorf("liveness with the database down: %v; want 200: the process is fine", a)
	}
	if !strings.Contains(s.logs.String(), `"msg":"request unavailable"`) {
		t.Error(`no "request unavailable" log line says why requests failed`)
	}

	if err := s.pg.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}

	// No restart of the API: its pool drops the dead connections and
	// makes new ones.
	deadline := time.Now().Add(10 * time.Second)
	for {
		a := s.do(http.MethodGet, "/v1/products", admin, nil, nil)
		if a.Status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10s after Postgres came back: %v; want 200", a)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, url := range []string{s.api + "/v1/readiness", s.debug + "/debug/readiness"} {
		if a := s.do(http.MethodGet, url, "", nil, nil); a.Status != http.StatusOK {
			t.Errorf("%s after the outage: %v; want 200", url, a)
		}
	}
	s.checkInvariants()
}
