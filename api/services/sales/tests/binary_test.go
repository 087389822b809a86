package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/garagesale/service/foundation/keystore"
	"github.com/google/go-cmp/cmp"
)

// TestBinary builds the real sales-api, starts it on free loopback ports
// against a real database, uses it over HTTP, and stops it with SIGTERM: it
// must drain and exit 0.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Parallel()

	bin := buildSalesAPI(t)

	help, err := exec.Command(bin, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("--help: %v\n%s", err, help)
	}
	for _, want := range []string{"SALES_DB_HOST", "SALES_AUTH_ACTIVE_KID", "SALES_WEB_SHUTDOWN_TIMEOUT"} {
		if !bytes.Contains(help, []byte(want)) {
			t.Errorf("--help does not list %s", want)
		}
	}

	db := dbtest.New(t, t.Name())
	if err := migrate.Seed(t.Context(), db.DB); err != nil {
		t.Fatalf("seed: %v", err)
	}
	api := runSalesAPI(t, bin, db)
	base, kid := api.base, api.kid

	req, _ := http.NewRequest(http.MethodGet, base+"/v1/users/token/"+kid, nil)
	req.SetBasicAuth("admin@example.com", "gophers")
	var tkn struct{ Token string }
	getJSON(t, req, http.StatusOK, &tkn)

	req, _ = http.NewRequest(http.MethodGet, base+"/v1/users", nil)
	req.Header.Set("Authorization", "Bearer "+tkn.Token)
	var page struct{ Total int }
	getJSON(t, req, http.StatusOK, &page)
	if page.Total != 2 {
		t.Errorf("users total = %d, want the 2 seeded", page.Total)
	}

	resp, err := http.Get(api.debug + "/debug/vars")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("debug vars: %v %v", resp, err)
	}

	if err := api.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-api.exited:
		if api.exitErr != nil {
			t.Fatalf("exit after SIGTERM: %v, want status 0", api.exitErr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("still running 30s after SIGTERM")
	}
	// The startup log lists every setting as a structured field; the
	// password is masked.
	if strings.Contains(api.logs.String(), `"db-password":"`+api.dbPassword+`"`) || !strings.Contains(api.logs.String(), `"db-password":"xxxxxx"`) {
		t.Error("the startup log does not mask the database password")
	}
	if !strings.Contains(api.logs.String(), `"config":{"auth-active-kid":`) {
		t.Error("the startup log does not give the settings as fields of config")
	}
}

// TestLoginLimitSharedByTwoProcesses: two sales-api processes on one
// database. Wrong passwords for one account, alternating between them,
// use up one allowance: once the account's free failures are spent, the
// next attempts on either process are 429 with Retry-After. Another
// account still logs in on both.
//
// The binary's first lock is one second. So that a slow machine cannot let
// it pass between the failure that sets it and the attempts that must meet
// it, the last free failure goes out at once with the attempts after it,
// two on each process: one of the four is checked, the others refused.
func TestLoginLimitSharedByTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Parallel()

	bin := buildSalesAPI(t)
	db := dbtest.New(t, t.Name())
	if err := migrate.Seed(t.Context(), db.DB); err != nil {
		t.Fatalf("seed: %v", err)
	}
	apis := []*salesAPI{runSalesAPI(t, bin, db), runSalesAPI(t, bin, db)}
	const free = 5 // SALES_AUTH_LOGIN_FAILURES' default

	login := func(api *salesAPI, user, pass string) (status int, retryAfter string) {
		req, err := http.NewRequest(http.MethodGet, api.base+"/v1/users/token/"+api.kid, nil)
		if err != nil {
			t.Error(err)
			return 0, ""
		}
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0, ""
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}

	for i := range free - 1 {
		if status, _ := login(apis[i%2], "user@example.com", "wrong-password"); status != http.StatusUnauthorized {
			t.Fatalf("failure %d, on process %d: %d, want 401", i+1, i%2+1, status)
		}
	}

	// The last free failure and three more, two on each process at once.
	statuses := make([][]int, len(apis))
	for i := range statuses {
		statuses[i] = make([]int, 2)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for p, api := range apis {
		for j := range statuses[p] {
			wg.Go(func() {
				<-start
				status, retryAfter := login(api, "user@example.com", "wrong-password")
				if secs, err := strconv.Atoi(retryAfter); status == http.StatusTooManyRequests && (err != nil || secs < 1) {
					t.Errorf("process %d: 429 with Retry-After %q", p+1, retryAfter)
				}
				statuses[p][j] = status
			})
		}
	}
	close(start)
	wg.Wait()
	counts := map[int]int{}
	for p, got := range statuses {
		if !slices.Contains(got, http.StatusTooManyRequests) {
			t.Errorf("process %d answered %v past the limit, want a 429", p+1, got)
		}
		for _, s := range got {
			counts[s]++
		}
	}
	want := map[int]int{http.StatusUnauthorized: 1, http.StatusTooManyRequests: 3}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("statuses of the four attempts after %d failures (-want +got):\n%s", free-1, diff)
	}

	for p, api := range apis {
		if status, _ := login(api, "admin@example.com", "gophers"); status != http.StatusOK {
			t.Errorf("another account on process %d: %d, want 200", p+1, status)
		}
	}
}

// buildSalesAPI builds the sales-api binary into the test's folder.
func buildSalesAPI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sales-api")
	build := exec.Command("go", "build", "-o", bin, "github.com/garagesale/service/api/services/sales")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// salesAPI is a sales-api process a test started.
type salesAPI struct {
	base, debug string // the API's and the debug port's http://host:port
	kid         string // the key that signs its tokens
	dbPassword  string
	cmd         *exec.Cmd
	exited      chan struct{} // closed when the process has exited, with exitErr
	exitErr     error
	logs        *bytes.Buffer
}

// runSalesAPI starts bin on free loopback ports against db, with a signing
// key of its own, and waits until it is ready. The process is killed when
// the test ends; its output is logged if the test failed.
func runSalesAPI(t *testing.T, bin string, db *dbtest.Database) *salesAPI {
	t.Helper()
	keys := t.TempDir()
	kid, err := keystore.Generate(keys, 0)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	apiAddr, debugAddr := apitest.FreeAddr(t), apitest.FreeAddr(t)

	api := &salesAPI{base: "http://" + apiAddr, debug: "http://" + debugAddr, kid: kid, dbPassword: pass,
		cmd: exec.Command(bin), exited: make(chan struct{}), logs: &bytes.Buffer{}}
	api.cmd.Env = append(os.Environ(),
		"SALES_WEB_API_HOST="+apiAddr,
		"SALES_WEB_DEBUG_HOST="+debugAddr,
		"SALES_DB_HOST="+u.Host,
		"SALES_DB_USER="+u.User.Username(),
		"SALES_DB_PASSWORD="+pass,
		"SALES_DB_NAME="+strings.TrimPrefix(u.Path, "/"),
		"SALES_DB_TLS_MODE=disable",
		"SALES_AUTH_KEYS_FOLDER="+keys,
		"SALES_TEMPO_HOST=",
	)
	api.cmd.Stdout, api.cmd.Stderr = api.logs, api.logs
	if err := api.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		api.exitErr = api.cmd.Wait()
		close(api.exited)
	}()
	t.Cleanup(func() {
		_ = api.cmd.Process.Kill()
		<-api.exited
		if t.Failed() {
			t.Logf("sales-api output:\n%s", api.logs.String())
		}
	})
	waitReady(t, api.base+"/v1/readiness")
	return api
}

func waitReady(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s not ready after 30s", url)
}

func getJSON(t *testing.T, req *http.Request, status int, v any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d", req.Method, req.URL, resp.StatusCode, status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(fmt.Errorf("decode %s: %w", req.URL, err))
	}
}
