package supervisor_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/tools/fleet/supervisor"
	"github.com/google/go-cmp/cmp"
)

// TestControlAPIAnswersOnlyTheFleetCommand: the supervisor's real control
// port refuses whatever is not the fleet command: no token or a wrong one
// (another local user), an Origin (a web page), a Host that is not
// loopback (a page that rebound its name to 127.0.0.1) and a body that is
// not JSON (a page's text/plain POST, which needs no preflight). The token
// is in a state file only its owner reads, and the command itself works.
func TestControlAPIAnswersOnlyTheFleetCommand(t *testing.T) {
	s, root := startIn(t, `
services:
  api:
    command: [sh, -c, "exec sleep 300"]
`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = s.Serve(ctx) }()

	stateFile := filepath.Join(root, ".fleet", supervisor.StateName)
	var st supervisor.State
	for deadline := time.Now().Add(5 * time.Second); st.Addr == ""; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the control API did not start")
		}
		st, _ = supervisor.ReadState(filepath.Dir(stateFile))
	}
	info, err := os.Stat(stateFile)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("the state file's mode is %o, want 600", mode)
	}
	if len(st.Token) < 32 {
		t.Fatalf("the state file's token is %q", st.Token)
	}

	_, port, _ := net.SplitHostPort(st.Addr)
	type req struct {
		name, host, token, origin, contentType, body string
	}
	reqs := []req{
		{name: "no token", host: st.Addr, body: `{"service":"api","n":3}`, contentType: "application/json"},
		{name: "a wrong token", host: st.Addr, token: strings.Repeat("0", len(st.Token)), body: `{"service":"api","n":3}`, contentType: "application/json"},
		{name: "a web page's text/plain POST", host: st.Addr, token: st.Token, body: `{"service":"api","n":3}`, contentType: "text/plain"},
		{name: "an Origin", host: st.Addr, token: st.Token, origin: "http://evil.example", body: `{"service":"api","n":3}`, contentType: "application/json"},
		{name: "a rebound name", host: "evil.example:" + port, token: st.Token, body: `{"service":"api","n":3}`, contentType: "application/json"},
	}
	got := map[string]int{}
	for _, r := range reqs {
		hr, err := http.NewRequest(http.MethodPost, "http://"+st.Addr+"/scale", strings.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		hr.Host = r.host
		if r.token != "" {
			hr.Header.Set("Authorization", "Bearer "+r.token)
		}
		if r.origin != "" {
			hr.Header.Set("Origin", r.origin)
		}
		hr.Header.Set("Content-Type", r.contentType)
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got[r.name] = resp.StatusCode
	}
	want := map[string]int{
		"no token": http.StatusUnauthorized, "a wrong token": http.StatusUnauthorized,
		"a web page's text/plain POST": http.StatusUnsupportedMediaType,
		"an Origin":                    http.StatusForbidden, "a rebound name": http.StatusForbidden,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	for _, r := range s.PS() {
		if r.Service == "api" && r.Instance != "" && r.Instance != "api.1" {
			t.Errorf("a refused request scaled the fleet: %s runs", r.Instance)
		}
	}

	// A rebound page also cannot read the fleet: GET /ps wants the same.
	hr, _ := http.NewRequest(http.MethodGet, "http://"+st.Addr+"/ps", nil)
	hr.Host = "evil.example:" + port
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET /ps under a rebound name: %d, want 403", resp.StatusCode)
	}

	c := supervisor.Client{Addr: st.Addr, Token: st.Token}
	var rows []supervisor.Row
	if err := c.Call(ctx, http.MethodGet, "/ps", nil, &rows); err != nil {
		t.Errorf("the fleet command's own ps: %v", err)
	}
	if err := c.Call(ctx, http.MethodPost, "/scale", supervisor.Request{Service: "api", N: 1}, nil); err != nil {
		t.Errorf("the fleet command's own scale: %v", err)
	}
	// A command without a body (down) is JSON too.
	if err := c.Call(ctx, http.MethodPost, "/down", nil, nil); err != nil {
		t.Errorf("the fleet command's own down: %v", err)
	}
}
