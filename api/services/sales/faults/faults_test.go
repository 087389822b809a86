// Package faults runs the real sales-api binary against a real Postgres
// that the tests break on purpose: they stop it, freeze it (SIGSTOP every
// process of the cluster) and restart it, and fire bursts and SIGTERMs at
// the API. Each test starts its own cluster, so nothing else shares what
// it breaks, and signals only the processes it started.
//
// They take a minute and load the machine, so `make test` skips them;
// `make faults` runs them (SALES_TEST_FAULTS=1).
package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/keystore"
	"github.com/garagesale/service/foundation/pgserver"
	"github.com/jmoiron/sqlx"
)

// Built once for every test: the binary and a signing key.
var (
	apiBin  string
	keysDir string
	kid     string
)

func TestMain(m *testing.M) {
	if os.Getenv("SALES_TEST_FAULTS") == "" {
		fmt.Println("fault tests skipped: they stop and freeze Postgres; run them with `make faults` (SALES_TEST_FAULTS=1)")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "sales-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	apiBin = filepath.Join(dir, "sales-api")
	build := exec.Command("go", "build", "-o", apiBin, "github.com/garagesale/service/api/services/sales")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build sales-api: %v\n%s", err, out)
		return 1
	}
	keysDir = filepath.Join(dir, "keys")
	if kid, err = keystore.Generate(keysDir, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// stack is one test's Postgres cluster with the API running on it.
type stack struct {
	t     *testing.T
	pg    *pgserver.Server
	db    *sqlx.DB // the test's own pool, for setting up and checking
	api   string   // http://host:port of the API
	debug string   // http://host:port of its debug server
	cmd   *exec.Cmd
	exit  chan error
	logs  *dbtest.Buffer
}

// newStack starts a cluster, migrates and seeds it, and starts the API on
// it with its default settings but for env (KEY=VALUE).
func newStack(t *testing.T, env ...string) *stack {
	t.Helper()
	ctx := context.Background()

	pg, err := pgserver.Start(ctx, pgserver.Config{})
	if err != nil {
		t.Fatalf("start postgres: %v", err)
	}
	s := &stack{t: t, pg: pg, logs: &dbtest.Buffer{}}
	t.Cleanup(func() {
		_ = pg.Thaw() // a failed test may leave it frozen
		if err := pg.Stop(); err != nil {
			t.Errorf("stop postgres: %v", err)
		}
	})

	pool, err := sqldb.OpenURL(pg.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	s.db = pool.DB
	if err := migrate.Migrate(ctx, s.db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := migrate.Seed(ctx, s.db); err != nil {
		t.Fatalf("seed: %v", err)
	}

	apiAddr, debugAddr := apitest.FreeAddr(t), apitest.FreeAddr(t)
	s.api, s.debug = "http://"+apiAddr, "http://"+debugAddr
	s.cmd = exec.Command(apiBin)
	s.cmd.Env = append(os.Environ(),
		"SALES_WEB_API_HOST="+apiAddr,
		"SALES_WEB_DEBUG_HOST="+debugAddr,
		"SALES_DB_HOST="+pg.Host(),
		"SALES_DB_USER="+pg.User(),
		"SALES_DB_PASSWORD="+pg.Password(),
		"SALES_DB_NAME=postgres",
		"SALES_DB_TLS_MODE=disable",
		"SALES_AUTH_KEYS_FOLDER="+keysDir,
		"SALES_TEMPO_HOST=",
		// Bursts of buys by one user: no limit on purchases per buyer.
		"SALES_SALE_PURCHASES_PER_HOUR=0",
	)
	s.cmd.Env = append(s.cmd.Env, env...)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.exit = make(chan error, 1)
	go func() { s.exit <- s.cmd.Wait() }()
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		if t.Failed() {
			t.Logf("sales-api output, last lines:\n%s", s.logs.Tail(60))
		}
	})

	deadline := time.Now().Add(30 * time.Second)
	for {
		if r := s.do(http.MethodGet, "/v1/readiness", "", nil, nil); r.Status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("sales-api not ready after 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// settingInt is the integer the test gave the API in its environment
// variable name; the last one wins, as for the binary. The test fails if
// it gave none: the binary's default is not the test's to know.
func (s *stack) settingInt(name string) int {
	s.t.Helper()
	for _, kv := range slices.Backward(s.cmd.Env) {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				s.t.Fatalf("%s: %v", name, err)
			}
			return n
		}
	}
	s.t.Fatalf("the test passed no %s to sales-api", name)
	return 0
}

// client waits longer than any answer the API may take, so a request that
// gets none shows as the server's doing, not the client's.
var client = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 64},
}

// answer is what one request got: a status and body, or no answer.
type answer struct {
	Status  int
	Body    []byte
	Header  http.Header
	Err     error // no HTTP answer at all
	Start   time.Time
	Latency time.Duration
}

// code is the error body's code, "" for another body.
func (a answer) code() string {
	var e struct{ Code string }
	_ = json.Unmarshal(a.Body, &e)
	return e.Code
}

func (a answer) String() string {
	if a.Err != nil {
		return fmt.Sprintf("no answer after %s: %v", a.Latency, a.Err)
	}
	return fmt.Sprintf("%d after %s: %s", a.Status, a.Latency.Round(time.Millisecond), bytes.TrimSpace(a.Body))
}

// do sends one request to the API (a path) or to a full URL.
func (s *stack) do(method, path, token string, body any, header http.Header) answer {
	url := path
	if strings.HasPrefix(path, "/") {
		url = s.api + path
	}
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		s.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	a := answer{Start: time.Now()}
	resp, err := client.Do(req)
	if err != nil {
		a.Err, a.Latency = err, time.Since(a.Start)
		return a
	}
	defer resp.Body.Close()
	a.Body, a.Err = io.ReadAll(resp.Body)
	a.Status, a.Header, a.Latency = resp.StatusCode, resp.Header, time.Since(a.Start)
	return a
}

// token logs in as email (password "gophers", as seeded).
func (s *stack) token(email string) string {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.api+"/v1/users/token/"+kid, nil)
	req.SetBasicAuth(email, "gophers")
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tkn struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&tkn); err != nil || tkn.Token == "" {
		s.t.Fatalf("token for %s: status %d, %v", email, resp.StatusCode, err)
	}
	return tkn.Token
}

// createProduct puts a product with stock up for sale as the owner of
// token and returns its ID.
func (s *stack) createProduct(token string, stock int) string {
	s.t.Helper()
	a := s.do(http.MethodPost, "/v1/products", token, map[string]any{"name": "Lamp", "cost": 1, "quantity": stock}, nil)
	var p struct{ ID string }
	if err := json.Unmarshal(a.Body, &p); a.Status != http.StatusCreated || err != nil {
		s.t.Fatalf("create product: %v", a)
	}
	return p.ID
}

// checkInvariants fails the test for every broken invariant of the data.
// The test's own pool may hold connections the faults killed: a query
// that succeeds first clears them out.
func (s *stack) checkInvariants() {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sqldb.StatusCheck(ctx, s.db); err != nil {
		s.t.Fatalf("the database after the faults: %v", err)
	}
	dbtest.CheckInvariants(s.t, s.db, salebus.Invariants)
}

// signal sends sig to the API process.
func (s *stack) signal(sig syscall.Signal) {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatal(err)
	}
}
