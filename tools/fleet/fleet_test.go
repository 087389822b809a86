package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/garagesale/service/tools/fleet/supervisor"
	"github.com/garagesale/service/tools/internal/repocopy"
)

// The fleet's end-to-end tests run the real fleet command on a copy of
// the repository, with every port moved so that a make run or a fleet of
// the developer's own is not in the way. They take minutes: make
// test-fleet runs them (in test-e2e).

// testPorts maps the fleet file's base ports to the copy's.
var testPorts = map[string]string{
	"54320": "54390", "3000": "3900", "3010": "3910", "4000": "4900", "4010": "4910",
	"9090": "9990", "4317": "4397", "16686": "16696", "16685": "16695", "13133": "13193",
}

// fleetRepo is a copy of the repository whose fleet file uses testPorts,
// and the fleet command built from this tree.
type fleetRepo struct {
	t    *testing.T
	root string
	bin  string
}

func newFleetRepo(t *testing.T, withJaeger bool) *fleetRepo {
	t.Helper()
	if os.Getenv("SALES_TEST_FLEET") == "" {
		t.Skip("the fleet's end-to-end tests take minutes: make test-fleet runs them (SALES_TEST_FLEET=1)")
	}
	src := repocopy.Root(t)
	root := t.TempDir()
	repocopy.Copy(t, src, root)

	path := filepath.Join(root, "zarf", "fleet.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for from, to := range testPorts {
		text = regexp.MustCompile(`\b`+from+`\b`).ReplaceAllString(text, to)
	}
	if !withJaeger {
		text = strings.Replace(text, "after: [setup, jaeger]", "after: [setup]", 1)
		text = strings.Replace(text, "SALES_TEMPO_HOST: 127.0.0.1:"+testPorts["4317"], `SALES_TEMPO_HOST: ""`, 1)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	// Prometheus scrapes the sidecar at its moved port.
	promPath := filepath.Join(root, "zarf", "prometheus", "fleet.yml")
	prom, err := os.ReadFile(promPath)
	if err != nil {
		t.Fatal(err)
	}
	prom = bytes.ReplaceAll(prom, []byte("127.0.0.1:4000"), []byte("127.0.0.1:"+testPorts["4000"]))
	if err := os.WriteFile(promPath, prom, 0o644); err != nil {
		t.Fatal(err)
	}

	bin := filepath.Join(t.TempDir(), "fleet")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build fleet: %v\n%s", err, out)
	}
	r := &fleetRepo{t: t, root: root, bin: bin}
	t.Cleanup(func() {
		// Whatever the test did, nothing it started stays.
		out, err := r.run("down")
		if err != nil {
			t.Errorf("fleet down at cleanup: %v\n%s", err, out)
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(root, ".fleet", supervisor.LogName))
			t.Logf("fleet log:\n%s", log)
		}
	})
	return r
}

// run runs a fleet command in the copy and returns its output.
func (r *fleetRepo) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Dir = r.root
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// must runs a fleet command that must succeed.
func (r *fleetRepo) must(args ...string) string {
	r.t.Helper()
	out, err := r.run(args...)
	if err != nil {
		r.t.Fatalf("fleet %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// psRow is a row of fleet ps, as printed.
type psRow struct {
	instance, health string
	pid              int
}

// ps returns fleet ps's rows by instance.
func (r *fleetRepo) ps() map[string]psRow {
	r.t.Helper()
	rows := map[string]psRow{}
	for _, line := range strings.Split(r.must("ps"), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 7 || f[1] == "-" {
			continue
		}
		pid, _ := strconv.Atoi(f[2])
		rows[f[1]] = psRow{instance: f[1], health: f[4], pid: pid}
	}
	return rows
}

// fleetLog is the fleet log so far.
func (r *fleetRepo) fleetLog() string {
	data, _ := os.ReadFile(filepath.Join(r.root, ".fleet", supervisor.LogName))
	return string(data)
}

// waitLog waits for a line of the fleet log that holds text.
func (r *fleetRepo) waitLog(text string, within time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(r.fleetLog(), text) {
		if time.Now().After(deadline) {
			r.t.Fatalf("no %q in the fleet log within %s", text, within)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// edit rewrites a file of the copy.
func (r *fleetRepo) edit(rel, old, new string) {
	r.t.Helper()
	path := filepath.Join(r.root, rel)
	data, err := os.ReadFile(path)
	if err != nil {
		r.t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		r.t.Fatalf("%s has no %q", rel, old)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// liveness returns the status field of an API instance's liveness answer,
// or "" when it does not answer.
func liveness(port string) string {
	client := http.Client{Timeout: time.Second}
	resp, err := client.Get("http://127.0.0.1:" + port + "/v1/liveness")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&body) != nil {
		return ""
	}
	return body.Status
}

// TestFleetRunner drives the fleet as an engineer would: up, ps, a second
// up, scale, a port held by another program, an edit rolled out one
// instance at a time while the API keeps answering, a broken edit that
// leaves the old build serving, logs, and down leaving nothing behind.
func TestFleetRunner(t *testing.T) {
	r := newFleetRepo(t, false)
	api1, api2, api3 := testPorts["3000"], "3901", "3902"

	out := r.must("up", "--watch", "sales-api")
	t.Logf("fleet up:\n%s", out)
	rows := r.ps()
	for inst, want := range map[string]string{"postgres.1": supervisor.Healthy, "setup.1": supervisor.Done, "sales-api.1": supervisor.Healthy} {
		if rows[inst].health != want {
			t.Fatalf("after up, %s is %q, want %q; ps: %v", inst, rows[inst].health, want, rows)
		}
	}
	if got := liveness(api1); got != "up" {
		t.Fatalf("sales-api.1 liveness: %q", got)
	}

	t.Run("a second up finds the running fleet", func(t *testing.T) {
		out := r.must("up", "sales-api")
		if !strings.Contains(out, "already runs") {
			t.Errorf("second up: %s", out)
		}
		if again := r.ps(); again["sales-api.1"].pid != rows["sales-api.1"].pid || again["postgres.1"].pid != rows["postgres.1"].pid {
			t.Errorf("second up started other processes: %v, then %v", rows, again)
		}
	})

	r.must("scale", "sales-api=2")
	rows = r.ps()
	if rows["sales-api.2"].health != supervisor.Healthy {
		t.Fatalf("after scale, sales-api.2 is %q", rows["sales-api.2"].health)
	}
	for _, port := range []string{api1, api2} {
		if got := liveness(port); got != "up" {
			t.Fatalf("instance on %s: liveness %q", port, got)
		}
	}

	t.Run("a port held by another program is reported, not doubled", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:"+api3)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		out, err := r.run("scale", "sales-api=3")
		if err == nil {
			t.Fatalf("scale with port %s held succeeded:\n%s", api3, out)
		}
		if want := fmt.Sprintf("port %s is held by pid %d", api3, os.Getpid()); !strings.Contains(out, want) {
			t.Errorf("scale output lacks %q:\n%s", want, out)
		}
		if _, ok := r.ps()["sales-api.3"]; ok {
			t.Error("sales-api.3 is in ps")
		}
		r.must("scale", "sales-api=2")
	})

	// From here both instances are polled: at every moment at least one
	// must answer.
	var mu sync.Mutex
	var gaps []string
	stopPoll := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for {
			select {
			case <-stopPoll:
				return
			case <-time.After(50 * time.Millisecond):
			}
			a, b := liveness(api1), liveness(api2)
			if a == "" && b == "" {
				mu.Lock()
				gaps = append(gaps, time.Now().Format("15:04:05.000"))
				mu.Unlock()
			}
		}
	}()

	t.Run("an edit is rebuilt, tested and rolled out one instance at a time", func(t *testing.T) {
		r.edit("app/domain/checkapp/checkapp.go", `Status: "up"`, `Status: "up-edited"`)
		deadline := time.Now().Add(3 * time.Minute)
		for liveness(api1) != "up-edited" || liveness(api2) != "up-edited" {
			if time.Now().After(deadline) {
				t.Fatalf("the edit did not reach both instances: %q, %q", liveness(api1), liveness(api2))
			}
			time.Sleep(200 * time.Millisecond)
		}
		r.waitLog("sales-api runs the change", 30*time.Second)
		log := r.fleetLog()
		order := []string{"tests of ./app/domain/checkapp passed", "restarting sales-api.1", "sales-api.1 is healthy", "restarting sales-api.2", "sales-api.2 is healthy", "sales-api runs the change"}
		at := strings.LastIndex(log, "change in ./app/domain/checkapp")
		if at < 0 {
			t.Fatal("the fleet log does not tell of the change")
		}
		for _, step := range order {
			i := strings.Index(log[at:], step)
			if i < 0 {
				t.Fatalf("the fleet log lacks %q after the change, in this order: %v", step, order)
			}
			at += i
		}
	})

	t.Run("a broken edit keeps the old instances serving", func(t *testing.T) {
		before := r.ps()
		r.edit("app/domain/checkapp/checkapp.go", `Status: "up-edited"`, `Status: "up-edited" +`)
		r.waitLog("build failed: the running sales-api keep serving the last good build", 2*time.Minute)
		after := r.ps()
		for _, inst := range []string{"sales-api.1", "sales-api.2"} {
			if after[inst].pid != before[inst].pid || after[inst].health != supervisor.Healthy {
				t.Errorf("%s: before %v, after %v", inst, before[inst], after[inst])
			}
		}
		for _, port := range []string{api1, api2} {
			if got := liveness(port); got != "up-edited" {
				t.Errorf("instance on %s: liveness %q", port, got)
			}
		}
		if log := r.fleetLog(); !strings.Contains(log, "syntax error") {
			t.Error("the fleet log does not show the compiler's error")
		}
		if out := r.must("ps"); !strings.Contains(out, "sales-api: the rebuild at") {
			t.Errorf("ps does not say the rebuild failed:\n%s", out)
		}
	})

	close(stopPoll)
	<-polled
	if len(gaps) > 0 {
		t.Errorf("no instance answered at %v", gaps)
	}

	t.Run("logs interleave the instances", func(t *testing.T) {
		out := r.must("logs", "sales-api")
		// The name column is as wide as the fleet file's longest name.
		for _, want := range []string{`(?m)^sales-api\.1 +\| `, `(?m)^sales-api\.2 +\| `, `INFO  sales-api`} {
			if !regexp.MustCompile(want).MatchString(out) {
				t.Errorf("fleet logs sales-api lacks %q", want)
			}
		}
		if strings.Contains(out, "postgres.1 ") {
			t.Error("fleet logs sales-api shows postgres's lines")
		}
	})

	final := r.ps()
	r.must("down")
	t.Run("down leaves no process and no port", func(t *testing.T) {
		for inst, row := range final {
			if row.pid != 0 && syscall.Kill(row.pid, 0) == nil {
				t.Errorf("%s (pid %d) still runs", inst, row.pid)
			}
		}
		for _, port := range []string{api1, api2, testPorts["3010"], "3911", testPorts["54320"]} {
			l, err := net.Listen("tcp", ":"+port)
			if err != nil {
				t.Errorf("port %s is still held: %v", port, err)
				continue
			}
			l.Close()
		}
		if left := processesUnder(r.root); len(left) > 0 {
			t.Errorf("processes still run in the copy: %v", left)
		}
		if out := r.must("ps"); !strings.Contains(out, "no fleet runs here") {
			t.Errorf("ps after down: %s", out)
		}
	})
}

// processesUnder lists the processes whose working directory is in root.
func processesUnder(root string) []string {
	var found []string
	cwds, _ := filepath.Glob("/proc/[0-9]*/cwd")
	for _, link := range cwds {
		dir, err := os.Readlink(link)
		if err != nil || !strings.HasPrefix(dir, root) {
			continue
		}
		comm, _ := os.ReadFile(filepath.Join(filepath.Dir(link), "comm"))
		found = append(found, filepath.Base(filepath.Dir(link))+" "+strings.TrimSpace(string(comm)))
	}
	return found
}

// TestFleetObservability starts the whole fleet, Jaeger and Prometheus
// included, and follows one request: sent with a known traceparent, its
// trace reaches Jaeger with the server span, a business span and a query
// under it, and fleet trace prints that tree. Prometheus scrapes the
// sidecar with the repository's config and has loaded its alert rules.
func TestFleetObservability(t *testing.T) {
	r := newFleetRepo(t, true)
	if _, err := exec.LookPath("prometheus"); err != nil && os.Getenv("CI") != "" {
		t.Fatal("prometheus is missing: .ci/run installs it")
	}
	out := r.must("up")
	t.Logf("fleet up:\n%s", out)
	api := "http://127.0.0.1:" + testPorts["3000"]

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	req, err := http.NewRequest(http.MethodGet, api+"/v1/users/token", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin@example.com", "gophers")
	req.Header.Set("traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token: status %d", resp.StatusCode)
	}

	t.Run("the trace reaches Jaeger with server, business and query spans", func(t *testing.T) {
		jaeger := "http://127.0.0.1:" + testPorts["16686"]
		tr, err := fetchTrace(context.Background(), jaeger, traceID, 20*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]jaegerSpan{}
		for _, s := range tr.Spans {
			byID[s.SpanID] = s
		}
		parentOf := func(s jaegerSpan) (jaegerSpan, bool) {
			for _, ref := range s.References {
				if p, ok := byID[ref.SpanID]; ok && ref.RefType == "CHILD_OF" {
					return p, true
				}
			}
			return jaegerSpan{}, false
		}
		// A query whose parent is a business span whose parent is the
		// server span of the request.
		var chain []string
		for _, s := range tr.Spans {
			if s.OperationName != "db.query" {
				continue
			}
			bus, ok := parentOf(s)
			if !ok || !strings.Contains(bus.OperationName, "bus.") {
				continue
			}
			server, ok := parentOf(bus)
			if ok && server.OperationName == "GET /v1/users/token" {
				chain = []string{server.OperationName, bus.OperationName, s.OperationName}
				break
			}
		}
		if chain == nil {
			var names []string
			for _, s := range tr.Spans {
				names = append(names, s.OperationName)
			}
			t.Fatalf("no server → business → db.query chain in the trace's spans %v", names)
		}
		t.Logf("chain: %v", chain)

		out := r.must("trace", "--jaeger", jaeger, traceID)
		t.Logf("fleet trace:\n%s", out)
		for _, want := range []string{"trace " + traceID, "GET /v1/users/token", "└─ ", "db.query", "http.response.status_code=200"} {
			if !strings.Contains(out, want) {
				t.Errorf("fleet trace lacks %q", want)
			}
		}
	})

	t.Run("Prometheus scrapes the sidecar and has the alert rules", func(t *testing.T) {
		if _, err := exec.LookPath("prometheus"); err != nil {
			t.Skip("prometheus is not installed (apt-get install prometheus)")
		}
		prom := "http://127.0.0.1:" + testPorts["9090"]
		var rules struct {
			Data struct {
				Groups []struct {
					Rules []struct {
						Name string `json:"name"`
					} `json:"rules"`
				} `json:"groups"`
			} `json:"data"`
		}
		getJSON(t, prom+"/api/v1/rules", &rules)
		var alerts int
		for _, g := range rules.Data.Groups {
			alerts += len(g.Rules)
		}
		if alerts == 0 {
			t.Error("Prometheus has no alert rules loaded")
		}

		// The first scrape comes within the scrape interval (15 s).
		deadline := time.Now().Add(40 * time.Second)
		for {
			var up struct {
				Data struct {
					Result []struct {
						Value []any `json:"value"`
					} `json:"result"`
				} `json:"data"`
			}
			getJSON(t, prom+"/api/v1/query?query=sales_api_requests_total", &up)
			if len(up.Data.Result) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("Prometheus has no sales_api_requests_total from the sidecar within 40 s")
			}
			time.Sleep(time.Second)
		}
	})
}

// getJSON decodes a GET's JSON answer.
func getJSON(t *testing.T, url string, into any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}
