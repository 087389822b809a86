package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// TestDeploy checks the dev overlay running, from outside, through the
// ports it is published on: in podman (SALES_TEST_DEPLOY=podman, make
// test-deploy, which deploys as make deploy-local does and removes it all
// at the end, also when a check fails) or in the Kind cluster
// (SALES_TEST_DEPLOY=kind, CircleCI's kind-e2e job, after make dev-apply).
func TestDeploy(t *testing.T) {
	// The repository's root: overlays and migrations are named from it.
	t.Chdir("../..")
	var st stack
	switch os.Getenv("SALES_TEST_DEPLOY") {
	case "podman":
		st = newPodmanStack(t)
	case "kind":
		st = newKindStack(t)
	default:
		t.Skip("needs a deployment: run make test-deploy (podman) or the kind-e2e job")
	}
	ctx := t.Context()

	api := client{base: "http://127.0.0.1:3000"}
	api.token = api.login(t, "user@example.com", "gophers")

	var product string
	t.Run("tour", func(t *testing.T) {
		var list struct {
			Items []struct {
				ID       string          `json:"id"`
				Cost     json.RawMessage `json:"cost"`
				Quantity int             `json:"quantity"`
			} `json:"items"`
		}
		api.do(t, "GET", "/v1/products?name=Toys", "", nil, http.StatusOK, &list)
		if len(list.Items) == 0 {
			t.Fatal("no product named Toys: did the seed init container run?")
		}
		product = list.Items[0].ID
		api.paid = string(list.Items[0].Cost)
		before := list.Items[0].Quantity

		key := newKey()
		first := api.buy(t, product, key, http.StatusCreated)
		again := api.buy(t, product, key, http.StatusCreated)
		if !again.replayed || again.id != first.id {
			t.Errorf("the retry with the same key: sale %s (replayed %v), want %s replayed", again.id, again.replayed, first.id)
		}
		if after := api.quantity(t, product); after != before-1 {
			t.Errorf("stock went from %d to %d, want one less", before, after)
		}
	})

	t.Run("init container migrated", func(t *testing.T) {
		files, _ := filepath.Glob("business/sdk/migrate/sql/*.sql")
		out, err := st.psql(ctx, "SELECT max(version_id) FROM goose_db_version")
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := strconv.Atoi(out); got != len(files) || got == 0 {
			t.Errorf("schema version %q, want %d (the migrations in business/sdk/migrate/sql)", out, len(files))
		}
	})

	t.Run("sandbox", func(t *testing.T) {
		checkSandbox(ctx, t, st)
	})

	t.Run("sidecar serves the API's metrics", func(t *testing.T) {
		body := get(t, "http://127.0.0.1:4000/metrics", http.StatusOK)
		for _, want := range []string{"sales_api_ready 1", "sales_api_request_duration_seconds_count"} {
			if !strings.Contains(body, want) {
				t.Errorf("the sidecar's /metrics has no %q", want)
			}
		}
		// And Prometheus scrapes it by the Service's name.
		waitFor(t, 40*time.Second, func() error {
			_, body, err := fetch("http://127.0.0.1:9090/api/v1/targets")
			if err != nil {
				return err
			}
			var targets struct {
				Data struct {
					ActiveTargets []struct {
						ScrapeURL string `json:"scrapeUrl"`
						Health    string `json:"health"`
					} `json:"activeTargets"`
				} `json:"data"`
			}
			if err := json.Unmarshal([]byte(body), &targets); err != nil {
				return err
			}
			for _, tg := range targets.Data.ActiveTargets {
				if tg.ScrapeURL == "http://sales-service:4000/metrics" && tg.Health == "up" {
					return nil
				}
			}
			return fmt.Errorf("Prometheus has not scraped sales-service:4000: %.300s", body)
		})
	})

	t.Run("a request's trace reaches the store", func(t *testing.T) {
		traceID := hex.EncodeToString(randomBytes(16))
		header := http.Header{"Traceparent": {"00-" + traceID + "-" + hex.EncodeToString(randomBytes(8)) + "-01"}}
		api.do(t, "GET", "/v1/products?rows=1", "", header, http.StatusOK, nil)
		waitFor(t, 30*time.Second, func() error {
			// Tempo's and Jaeger's query APIs both answer a trace by its
			// id, with the service's name in it.
			_, body, err := fetch("http://127.0.0.1:3200/api/traces/" + traceID)
			if err != nil {
				return err
			}
			if !strings.Contains(body, `"sales-api"`) {
				return fmt.Errorf("trace %s is not in the store: %.300s", traceID, body)
			}
			return nil
		})
	})

	t.Run("the dump CronJob's job runs", func(t *testing.T) {
		if err := st.runDump(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("replacing the API pod loses no keyed request", func(t *testing.T) {
		if product == "" {
			t.Skip("the tour found no product")
		}
		before := api.quantity(t, product)
		var (
			mu      sync.Mutex
			answers = map[string]string{} // key → sale id
			retried int                   // purchases sent more than once
			stop    = make(chan struct{})
			wg      sync.WaitGroup
		)
		// Two purchases at a time, until the new pod has answered for a
		// while; every purchase is sent again with its key until it is
		// answered, as the README says to. Paced to stay under the
		// buyer's purchases per hour.
		for range 2 {
			wg.Go(func() {
				for range 20 {
					select {
					case <-stop:
						return
					case <-time.After(700 * time.Millisecond):
					}
					key := newKey()
					id, sends, err := api.buyUntilAnswered(product, key, 90*time.Second)
					mu.Lock()
					answers[key] = id
					if sends > 1 {
						retried++
					}
					mu.Unlock()
					if err != nil {
						t.Errorf("key %s: %v", key, err)
						return
					}
				}
			})
		}
		time.Sleep(time.Second)
		if err := st.replaceAPI(ctx); err != nil {
			close(stop)
			wg.Wait()
			t.Fatalf("replace: %v", err)
		}
		time.Sleep(3 * time.Second)
		close(stop)
		wg.Wait()

		ids := map[string]bool{}
		for key, id := range answers {
			if id == "" {
				t.Errorf("key %s was never answered", key)
			}
			ids[id] = true
		}
		if len(ids) != len(answers) {
			t.Errorf("%d keys got %d sales: a sale was answered to two keys", len(answers), len(ids))
		}
		if after := api.quantity(t, product); before-after != len(answers) {
			t.Errorf("stock went from %d to %d for %d keyed purchases: each must be bought once", before, after, len(answers))
		}
		// In podman the old pod is gone before the new one answers: some
		// purchase must have met that gap, or this test proved nothing. (A
		// rolling update leaves none, so there any number may be 0.)
		if st.gap() && retried == 0 {
			t.Errorf("no purchase had to be sent again: the replacement left no gap to cross")
		}
		t.Logf("%d keyed purchases across the replacement, %d sent more than once, each bought once", len(answers), retried)
	})

	t.Run("SIGTERM drains", func(t *testing.T) {
		pod, exited, err := st.terminateAPI(ctx, t)
		if err != nil {
			t.Fatal(err)
		}
		// For the shutdown delay the API answers requests and says it is
		// not ready, so load balancers stop sending before it stops.
		waitFor(t, pod.delay+3*time.Second, func() error {
			if code, _, err := fetch(pod.readiness); code != http.StatusServiceUnavailable {
				return fmt.Errorf("readiness after SIGTERM answers %d (%v), want 503", code, err)
			}
			return nil
		})
		draining := client{base: pod.api, token: api.token}
		draining.do(t, "GET", "/v1/products?rows=1", "", nil, http.StatusOK, nil)
		// Then it stops on its own, well inside the grace period.
		waitFor(t, 30*time.Second, exited)
	})

	// Last: the database stops with a shutdown of its own (the preStop
	// hook's fast one), not killed at the end of its grace period, which
	// would mean crash recovery at the next start.
	t.Run("the database stops cleanly", func(t *testing.T) {
		start := time.Now()
		log, exit, err := st.stopDatabase(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if exit > 0 {
			t.Errorf("Postgres exited %d after %s, want 0:\n%s", exit, time.Since(start).Round(time.Second), log)
		}
		for _, bad := range []string{"was interrupted", "not properly shut down", "automatic recovery"} {
			if strings.Contains(log, bad) {
				t.Errorf("Postgres did not shut down cleanly (%q):\n%s", bad, log)
			}
		}
		if exit == 0 && !strings.Contains(log, "database system is shut down") {
			t.Errorf("Postgres' log does not say it shut down:\n%s", log)
		}
		t.Logf("stopped in %s", time.Since(start).Round(100*time.Millisecond))
	})
}

// checkSandbox checks that the engine runs each container as its manifest
// asks: not as root, with a read-only root filesystem, with no
// capabilities, read from the kernel's view of its first process. The
// kit's own containers must ask for all three.
func checkSandbox(ctx context.Context, t *testing.T, st stack) {
	kit := map[string]bool{"sales-api": true, "metrics": true}
	for _, c := range st.containers(t) {
		t.Run(c.name, func(t *testing.T) {
			sc := c.spec.SecurityContext
			nonRoot := c.pod.SecurityContext != nil && c.pod.SecurityContext.RunAsNonRoot != nil && *c.pod.SecurityContext.RunAsNonRoot
			readOnly := sc != nil && sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem
			noCaps := sc != nil && sc.Capabilities != nil && len(sc.Capabilities.Drop) == 1 && sc.Capabilities.Drop[0] == "ALL"
			if kit[c.spec.Name] && !(nonRoot && readOnly && noCaps) {
				t.Errorf("the manifest runs %s with runAsNonRoot %v, readOnlyRootFilesystem %v, capabilities dropped %v: want all three", c.spec.Name, nonRoot, readOnly, noCaps)
			}
			status, err := st.proc(ctx, c.name, "status")
			if err != nil {
				t.Fatal(err)
			}
			mounts, err := st.proc(ctx, c.name, "mountinfo")
			if err != nil {
				t.Fatal(err)
			}
			uid, capEff := procField(status, "Uid:"), procField(status, "CapEff:")
			if nonRoot && (uid == "" || strings.Fields(uid)[0] == "0") {
				t.Errorf("%s runs as root (Uid: %s)", c.name, uid)
			}
			if noCaps && capEff != "0000000000000000" {
				t.Errorf("%s has capabilities %s, want none", c.name, capEff)
			}
			if readOnly && !rootReadOnly(mounts) {
				t.Errorf("%s's root filesystem is writable", c.name)
			}
			t.Logf("Uid %s, CapEff %s, root read-only %v", uid, capEff, rootReadOnly(mounts))
			if c.spec.Name == "sales-api" {
				checkMemoryLimit(ctx, t, st, c.name, c.spec.Env)
			}
		})
	}
}

// checkMemoryLimit checks that the engine gives the API the GOMEMLIMIT
// its manifest sets: Go does not read the container's limit itself.
func checkMemoryLimit(ctx context.Context, t *testing.T, st stack, container string, env []corev1.EnvVar) {
	t.Helper()
	var want string
	for _, e := range env {
		if e.Name == "GOMEMLIMIT" {
			want = e.Value
		}
	}
	environ, err := st.proc(ctx, container, "environ")
	if err != nil {
		t.Fatal(err)
	}
	var got string
	for v := range strings.SplitSeq(environ, "\x00") {
		if s, ok := strings.CutPrefix(v, "GOMEMLIMIT="); ok {
			got = s
		}
	}
	if want == "" || got != want {
		t.Errorf("%s: GOMEMLIMIT %q, want the manifest's %q", container, got, want)
	}
}

// procField is the value of a /proc/PID/status line.
func procField(status, field string) string {
	for line := range strings.Lines(status) {
		if v, ok := strings.CutPrefix(line, field); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// rootReadOnly reports whether / is mounted read-only in mountinfo.
func rootReadOnly(mountinfo string) bool {
	for line := range strings.Lines(mountinfo) {
		f := strings.Fields(line)
		if len(f) > 5 && f[4] == "/" {
			return strings.HasPrefix(f[5], "ro")
		}
	}
	return false
}

// client is the API seen from outside the engine.
type client struct {
	base  string
	token string
	// paid is what a purchase of one pays: the product's cost.
	paid string
}

func (c client) login(t *testing.T, email, password string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", c.base+"/v1/users/token", nil)
	req.SetBasicAuth(email, password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("token: %s, %v", resp.Status, err)
	}
	return body.Token
}

// do sends a request and decodes the answer into out, failing the test
// on any status but want.
func (c client) do(t *testing.T, method, path, body string, header http.Header, want int, out any) http.Header {
	t.Helper()
	resp, data, err := c.send(method, path, body, header)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %s, want %d: %s", method, path, resp.Status, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return resp.Header
}

func (c client) send(method, path, body string, header http.Header) (*http.Response, []byte, error) {
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

func (c client) buyBody(product string) string {
	return `{"productID":"` + product + `","quantity":1,"paid":` + c.paid + `}`
}

type sale struct {
	id       string
	replayed bool
}

func (c client) buy(t *testing.T, product, key string, want int) sale {
	t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	h := c.do(t, "POST", "/v1/sales", c.buyBody(product), http.Header{"Idempotency-Key": {key}}, want, &out)
	return sale{id: out.ID, replayed: h.Get("Idempotent-Replayed") == "true"}
}

// buyUntilAnswered sends a keyed purchase again and again, as a client
// that got no answer or a 503 should, until it is answered.
// It returns the sale's id and how many times it was sent.
func (c client) buyUntilAnswered(product, key string, limit time.Duration) (string, int, error) {
	deadline := time.Now().Add(limit)
	var last string
	for sends := 1; time.Now().Before(deadline); sends++ {
		resp, data, err := c.send("POST", "/v1/sales", c.buyBody(product), http.Header{"Idempotency-Key": {key}})
		switch {
		case err != nil:
			last = err.Error()
		case resp.StatusCode == http.StatusCreated:
			var out struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(data, &out); err != nil {
				return "", sends, err
			}
			return out.ID, sends, nil
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusConflict:
			// 409: the first send of this key is still being answered.
			last = resp.Status
		default:
			return "", sends, fmt.Errorf("%s: %s", resp.Status, data)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return "", 0, fmt.Errorf("not answered in %s: %s", limit, last)
}

func (c client) quantity(t *testing.T, product string) int {
	t.Helper()
	var p struct {
		Quantity int `json:"quantity"`
	}
	c.do(t, "GET", "/v1/products/"+product, "", nil, http.StatusOK, &p)
	return p.Quantity
}

// get returns the body of a GET, failing the test unless its status is
// want.
func get(t *testing.T, url string, want int) string {
	t.Helper()
	code, body, err := fetch(url)
	if err != nil || code != want {
		t.Fatalf("GET %s: %d, %v; want %d", url, code, err, want)
	}
	return body
}

// fetch GETs url, within a bound, for checks that are tried again.
func fetch(url string) (int, string, error) {
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// waitFor retries check until it passes or limit runs out.
func waitFor(t *testing.T, limit time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func newKey() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
