package tests

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/app/sdk/clientaddr"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/google/go-cmp/cmp"
)

// The tests here send real requests through a real listener on 127.0.0.1
// from real source addresses (127.0.0.2, 127.0.0.3, ... are all loopback),
// and the API believes X-Forwarded-For only from 127.0.0.1: the ingress of
// production. A request "through the proxy" comes from 127.0.0.1 and names
// its client in the header; any other source is a pod reaching the API
// port directly.

const proxy = "127.0.0.1"

// behindProxy serves e's database on a real port, the API trusting the
// proxy's header, with tune applied to the config.
func (e *env) behindProxy(t *testing.T, tune func(*build.Config)) string {
	t.Helper()
	clients, err := clientaddr.New("X-Forwarded-For", []string{proxy})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.replica(t, func(cfg *build.Config) {
		cfg.Clients = clients
		cfg.Signup = true
		if tune != nil {
			tune(cfg)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// from is a client whose connections leave from the loopback address src.
type from string

// login asks base for a token as user with pass, naming client in
// X-Forwarded-For when it is set, and returns the status.
func (src from) login(t *testing.T, base, user, pass, client string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/v1/users/token/"+kid, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, pass)
	return src.do(t, req, client)
}

// signup asks base for an account for addr, and returns the status.
func (src from) signup(t *testing.T, base, addr, client string) int {
	t.Helper()
	body := fmt.Sprintf(`{"name":"New Person","email":%q,"password":"secret12","passwordConfirm":"secret12"}`, addr)
	req, err := http.NewRequest(http.MethodPost, base+"/v1/users/signup", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return src.do(t, req, client)
}

func (src from) do(t *testing.T, req *http.Request, client string) int {
	t.Helper()
	if client != "" {
		req.Header.Set("X-Forwarded-For", client)
	}
	dialer := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(string(src))}, Timeout: 5 * time.Second}
	c := http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
		DisableKeepAlives: true,
	}}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s from %s: %v", req.URL.Path, src, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode == http.StatusTooManyRequests {
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 {
			t.Errorf("429 with Retry-After %q", resp.Header.Get("Retry-After"))
		}
	}
	return resp.StatusCode
}

// failAt sends n wrong passwords for bob from src, the ith naming client(i),
// and fails t when more were checked (401) than the account's free ones
// and a lock that ran out meanwhile.
func failAt(t *testing.T, src from, base string, n int, client func(i int) string, what string) {
	t.Helper()
	statuses := map[int]int{}
	for i := range n {
		statuses[src.login(t, base, "bob@example.com", "wrong-password", client(i))]++
	}
	if free := userbus.DefaultThrottling.LoginAccount.Free; statuses[http.StatusUnauthorized] > free+2 {
		t.Errorf("%s: %v, want at most %d checked", what, statuses, free+2)
	}
}

// TestClientsBehindTheProxy: every client shares the proxy's connection,
// yet each is limited on its own. Sixty wrong passwords from one client,
// to any accounts, leave another client's logins and signups alone.
func TestClientsBehindTheProxy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// A minute-long first lock, so that the failing client is still
	// locked when it tries the right password, however slow the machine.
	base := e.behindProxy(t, func(cfg *build.Config) {
		cfg.Throttling = userbus.DefaultThrottling
		cfg.Throttling.LoginClient.Base = time.Minute
	})
	via := from(proxy)

	statuses := map[int]int{}
	for i := range 60 {
		statuses[via.login(t, base, fmt.Sprintf("user%d@example.com", i), "wrong-password", "198.51.100.66")]++
	}
	if statuses[http.StatusTooManyRequests] == 0 {
		t.Errorf("sixty failures from one client: %v, want it held up", statuses)
	}
	if got := via.login(t, base, "bob@example.com", passwd, "198.51.100.66"); got != http.StatusTooManyRequests {
		t.Errorf("the failing client, right password: %d, want 429", got)
	}
	if got := via.login(t, base, "bob@example.com", passwd, "198.51.100.7"); got != http.StatusOK {
		t.Errorf("another client behind the same proxy: %d, want 200", got)
	}
	for i := range 8 {
		client := fmt.Sprintf("198.51.100.%d", 100+i)
		if got := via.signup(t, base, fmt.Sprintf("new%d@example.com", i), client); got != http.StatusAccepted {
			t.Errorf("signup %d from its own client %s: %d, want 202", i, client, got)
		}
	}
}

// TestHeaderFromAnyoneElseIsIgnored: a pod that reaches the API port
// directly names a new client in every request; the API counts them all
// against the pod's own address.
func TestHeaderFromAnyoneElseIsIgnored(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	base := e.behindProxy(t, nil)
	pod := from("127.0.0.2")

	failAt(t, pod, base, 20, func(i int) string { return fmt.Sprintf("203.0.113.%d", i+1) }, "twenty failures each claiming a new address")
	if got := pod.login(t, base, "bob@example.com", passwd, "203.0.113.200"); got != http.StatusTooManyRequests {
		t.Errorf("the pod, right password, yet another claimed address: %d, want 429", got)
	}
	if got := from("127.0.0.3").login(t, base, "bob@example.com", passwd, ""); got != http.StatusOK {
		t.Errorf("another source: %d, want 200", got)
	}
}

// TestIPv6ClientsBy64: an IPv6 subscriber's whole /64 is one client, so
// sixty addresses in it get no more failures or signups than one.
func TestIPv6ClientsBy64(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	base := e.behindProxy(t, nil)
	via := from(proxy)

	failAt(t, via, base, 60, func(i int) string { return fmt.Sprintf("fd00::%x", i+1) }, "sixty failures from one /64")
	if got := via.login(t, base, "bob@example.com", passwd, "fd00:0:0:1::1"); got != http.StatusOK {
		t.Errorf("the next /64: %d, want 200", got)
	}

	var signups []int
	for i := range 8 {
		signups = append(signups, via.signup(t, base, fmt.Sprintf("six%d@example.com", i), fmt.Sprintf("fd00:0:0:2::%x", i+1)))
	}
	free := userbus.DefaultThrottling.Signup.Free
	want := []int{}
	for i := range 8 {
		want = append(want, map[bool]int{true: http.StatusAccepted, false: http.StatusTooManyRequests}[i < free])
	}
	if diff := cmp.Diff(want, signups); diff != "" {
		t.Errorf("eight signups from eight addresses of one /64 (-want +got):\n%s", diff)
	}
}

// TestNoOneLocksOutAVictim: an attacker fails at the victim's account
// again and again; the victim, from their own address, still logs in.
func TestNoOneLocksOutAVictim(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	base := e.behindProxy(t, nil)
	via := from(proxy)

	for range 17 {
		via.login(t, base, "bob@example.com", "wrong-password", "203.0.113.66")
	}
	if got := via.login(t, base, "bob@example.com", "wrong-password", "203.0.113.66"); got != http.StatusTooManyRequests {
		t.Errorf("the attacker after 17 failures: %d, want 429", got)
	}
	if got := via.login(t, base, "bob@example.com", passwd, "198.51.100.20"); got != http.StatusOK {
		t.Errorf("the victim from their own address: %d, want 200", got)
	}
}

// TestServiceWideLoginLimits: failures from many clients meet the
// service's limits on bcrypt checks. The budget for clients that failed
// before: each client's first failure is free of it, their later ones
// wait once it is spent, and a client with no failures still logs in. The
// ceiling for all: a flood from ever new addresses, each failing once,
// gets no more checks either.
func TestServiceWideLoginLimits(t *testing.T) {
	t.Parallel()
	const limit = 10
	var tenClientsThrice, freshV6 []string
	for range 3 {
		for i := range 10 {
			tenClientsThrice = append(tenClientsThrice, fmt.Sprintf("203.0.113.%d", i+1))
		}
	}
	for i := range 25 {
		freshV6 = append(freshV6, fmt.Sprintf("2001:db8:%x::1", i+1))
	}
	tests := []struct {
		name        string
		tune        func(*userbus.Throttling)
		clients     []string // one failure from each, in turn
		maxChecked  int
		freshLogsIn bool // a client with no failures logs in after
	}{
		{"budget", func(th *userbus.Throttling) { th.LoginBudget.Free = limit }, tenClientsThrice, 10 + limit, true},
		{"ceiling", func(th *userbus.Throttling) { th.LoginCeiling.Free, th.LoginCeiling.Base = limit, time.Minute }, freshV6, limit, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			base := e.behindProxy(t, func(cfg *build.Config) {
				cfg.Throttling = userbus.DefaultThrottling
				tt.tune(&cfg.Throttling)
			})
			via := from(proxy)

			statuses := map[int]int{}
			for _, client := range tt.clients {
				statuses[via.login(t, base, "cat@example.com", "wrong-password", client)]++
			}
			if checked := statuses[http.StatusUnauthorized]; checked > tt.maxChecked {
				t.Errorf("%d failures: %v, want at most %d checked", len(tt.clients), statuses, tt.maxChecked)
			}
			if tt.freshLogsIn {
				if got := via.login(t, base, "cat@example.com", passwd, "198.51.100.30"); got != http.StatusOK {
					t.Errorf("a client with no failures while the budget is spent: %d, want 200", got)
				}
			}
		})
	}
}
