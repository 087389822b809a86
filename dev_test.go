package readme_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/google/go-cmp/cmp"
)

// TestSetupNamesTheKeys: make run's setup (zarf/dev/setup.sh) with several
// keys and no SALES_AUTH_ACTIVE_KID stops before it touches the database,
// naming the kids, newest first, and the ways to pick one.
func TestSetupNamesTheKeys(t *testing.T) {
	keys := t.TempDir()
	for i, kid := range []string{"old-kid", "new-kid"} {
		path := filepath.Join(keys, kid+".pem")
		if err := os.WriteFile(path, []byte("a key\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 11, 1+i, 9, 30, 0, 0, time.UTC)
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("zarf/dev/setup.sh")
	// No sales-admin in BIN: a setup that went on to migrate would fail
	// on that instead.
	cmd.Env = append(os.Environ(), "BIN="+t.TempDir(), "SALES_AUTH_KEYS_FOLDER="+keys, "SALES_AUTH_ACTIVE_KID=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("setup.sh ended with %v, want exit status 1:\n%s", err, stderr.String())
	}
	want := strings.Join([]string{
		keys + " holds 2 keys and SALES_AUTH_ACTIVE_KID is not set to the one that signs new tokens (newest first):",
		"  new-kid",
		"  old-kid",
		"Pick one and start again: export SALES_AUTH_ACTIVE_KID=new-kid signs with the newest (every key in",
		keys + " still verifies the tokens it signed), or delete the .pem files of the keys you no longer want.",
	}, "\n") + "\n"
	if diff := cmp.Diff(want, stderr.String()); diff != "" {
		t.Errorf("setup.sh said (-want +got):\n%s", diff)
	}
}

// TestCtrlCStopsMakeRun: a Ctrl-C of make run, whenever it comes (while
// Postgres starts, during the migration, while the API or the sidecar
// starts, once the API serves), stops every process make run started
// within a bound, frees every port, and Postgres is stopped. It starts
// make run's stack (pgrun with zarf/dev/run.sh, as make run does) again
// and again and sends SIGINT to its process group, as a terminal does, at
// moments drawn at random (the seed is logged). It takes a minute or two:
// make test-run (in test-e2e) runs it with SALES_TEST_CTRLC=1, 20 times;
// SALES_TEST_CTRLC=N, above 1, runs it N times.
func TestCtrlCStopsMakeRun(t *testing.T) {
	runs, _ := strconv.Atoi(os.Getenv("SALES_TEST_CTRLC"))
	if runs <= 0 {
		t.Skip("Ctrl-C of make run at random moments takes minutes: make test-run runs it (SALES_TEST_CTRLC=1)")
	}
	if runs == 1 {
		runs = 20
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	// Running as root, postgres runs as the postgres user, which must
	// reach the data folder (else pgserver keeps it elsewhere).
	for _, d := range []string{work, filepath.Dir(work)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	buildRun(t, filepath.Join(work, "bin"))
	if err := os.MkdirAll(filepath.Join(work, "zarf", "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	// ready is how long the last start took to serve: the moments of a
	// start are drawn from it.
	var ready time.Duration
	for i := range runs {
		r := startRun(t, root, work)
		var moment string
		if i%2 == 0 {
			took, err := r.waitReady(2 * time.Minute)
			if err != nil {
				r.fail(t, fmt.Sprintf("start %d: %v", i+1, err))
			}
			ready = took
			if i == 0 {
				// Told only where the API's debug server moved, the
				// sidecar collects from it.
				if err := r.waitUp(30 * time.Second); err != nil {
					r.fail(t, err.Error())
				}
			}
			extra := time.Duration(rng.Int64N(int64(500 * time.Millisecond)))
			time.Sleep(extra)
			moment = fmt.Sprintf("%v after it served", extra.Round(time.Millisecond))
		} else {
			at := time.Duration(rng.Int64N(int64(ready)))
			time.Sleep(at)
			moment = fmt.Sprintf("%v into a start that takes about %v", at.Round(time.Millisecond), ready.Round(time.Millisecond))
		}
		if problem := r.interrupt(90 * time.Second); problem != "" {
			r.fail(t, fmt.Sprintf("Ctrl-C %d, %s: %s", i+1, moment, problem))
		}
		t.Logf("Ctrl-C %d, %s: everything stopped", i+1, moment)
	}
}

// buildRun builds into bin what make run runs, as make build-local names
// them.
func buildRun(t *testing.T, bin string) {
	t.Helper()
	for _, b := range []struct {
		dir  string
		args []string
	}{
		{".", []string{"-o", filepath.Join(bin, "sales-api"), "./api/services/sales"}},
		{".", []string{"-o", bin + string(filepath.Separator), "./api/services/metrics", "./api/tooling/sales-admin", "./api/tooling/pgrun"}},
		{"tools", []string{"-o", bin + string(filepath.Separator), "./logfmt"}},
	} {
		build := exec.Command("go", append([]string{"build"}, b.args...)...)
		build.Dir = b.dir
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build: %v\n%s", err, out)
		}
	}
}

// run is one make run: pgrun and run.sh in a process group of their own.
type run struct {
	cmd     *exec.Cmd
	started time.Time
	exited  chan error
	log     *lockedBuffer
	data    string
	addrs   map[string]string // what listens where, by name
}

func startRun(t *testing.T, root, work string) *run {
	t.Helper()
	r := &run{started: time.Now(), exited: make(chan error, 1), log: &lockedBuffer{}, data: filepath.Join(work, ".data", "pg"), addrs: map[string]string{}}
	for _, name := range []string{"api", "debug", "metrics", "metrics debug", "postgres"} {
		r.addrs[name] = apitest.FreeAddr(t)
	}
	_, dbPort, _ := net.SplitHostPort(r.addrs["postgres"])
	r.cmd = exec.Command(filepath.Join(work, "bin", "pgrun"), "--data", r.data, "--port", dbPort,
		"--", filepath.Join(root, "zarf", "dev", "run.sh"))
	r.cmd.Dir = work
	r.cmd.Env = append(os.Environ(),
		"SALES_WEB_API_HOST="+r.addrs["api"],
		"SALES_WEB_DEBUG_HOST="+r.addrs["debug"],
		"METRICS_WEB_METRICS_HOST="+r.addrs["metrics"],
		"METRICS_WEB_DEBUG_HOST="+r.addrs["metrics debug"],
	)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.exited <- r.cmd.Wait() }()
	return r
}

// waitReady returns how long the API took to serve.
func (r *run) waitReady(within time.Duration) (time.Duration, error) {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + r.addrs["api"] + "/v1/readiness")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(r.started), nil
			}
		}
		select {
		case err := <-r.exited:
			return 0, fmt.Errorf("make run's stack exited before it served: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("the API did not serve within %v", within)
}

// waitUp waits for the sidecar to say it collected from the API.
func (r *run) waitUp(within time.Duration) error {
	var last string
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://" + r.addrs["metrics"] + "/metrics")
		if err != nil {
			last = err.Error()
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if regexp.MustCompile(`(?m)^sales_api_up 1$`).Match(body) {
			return nil
		}
		last = "no sales_api_up 1 in its metrics"
	}
	return fmt.Errorf("the sidecar did not collect from the API's debug server %s within %v: %s", r.addrs["debug"], within, last)
}

// interrupt sends SIGINT to the process group and says what is wrong once
// pgrun has exited: a process left, a port held, Postgres up; or that
// pgrun did not exit within the bound.
func (r *run) interrupt(within time.Duration) string {
	pgid := r.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGINT)
	select {
	case <-r.exited:
	case <-time.After(within):
		return fmt.Sprintf("pgrun still runs %v after it; the processes of make run: %s", within, strings.Join(groupProcesses(pgid), "; "))
	}
	var problems []string
	if left := groupProcesses(pgid); len(left) > 0 {
		problems = append(problems, "processes left: "+strings.Join(left, "; "))
	}
	for name, addr := range r.addrs {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			problems = append(problems, fmt.Sprintf("the %s port %s is still held (%v)", name, addr, err))
			continue
		}
		l.Close()
	}
	if _, err := os.Stat(filepath.Join(r.data, "postmaster.pid")); err == nil {
		problems = append(problems, "postgres still runs (its postmaster.pid is there)")
	}
	return strings.Join(problems, "; ")
}

// fail stops what is left of the run, then fails the test with the
// problem and the run's last lines.
func (r *run) fail(t *testing.T, problem string) {
	t.Helper()
	_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	// pgrun stops a postgres whose launcher is gone.
	_ = exec.Command(r.cmd.Path, "--data", r.data, "--", "true").Run()
	t.Fatalf("%s\nits output, last lines:\n%s", problem, r.log.Tail(30))
}

// groupProcesses lists the live processes of process group pgid, with
// their command lines. A zombie is not one: in a container whose first
// process does not reap, a killed orphan stays one for good.
func groupProcesses(pgid int) []string {
	var found []string
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces.
		i := bytes.LastIndexByte(stat, ')')
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) < 3 || fields[0] == "Z" || fields[2] != strconv.Itoa(pgid) {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		found = append(found, fmt.Sprintf("%d %s", pid, strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))))
	}
	return found
}

// TestMakeRunListensOnLoopback: make run's API, its debug port and the
// sidecar's bind 127.0.0.1 unless told otherwise, since the seeded admin's
// password is known. run.sh runs here with stand-ins for the binaries that
// record the addresses they were given.
func TestMakeRunListensOnLoopback(t *testing.T) {
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	bin := filepath.Join(work, "bin")
	seen := filepath.Join(work, "seen")
	if err := os.MkdirAll(filepath.Join(work, "zarf", "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "zarf", "keys", "k.pem"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	stub := func(name, body string) {
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	stub("sales-admin", "exit 0")
	stub("logfmt", "cat >/dev/null")
	// The API's stand-in stays until the sidecar's has written: run.sh
	// stops the sidecar once the API exits, which could be before the
	// sidecar's shell ran at all.
	stub("sales-api", `echo "api $SALES_WEB_API_HOST debug $SALES_WEB_DEBUG_HOST" >> `+seen+`
for i in $(seq 50); do grep -q metrics `+seen+` && exit 0; sleep 0.1; done`)
	stub("metrics", `echo "metrics $METRICS_WEB_METRICS_HOST debug $METRICS_WEB_DEBUG_HOST" >> `+seen)

	cmd := exec.Command(filepath.Join(root, "zarf", "dev", "run.sh"))
	cmd.Dir = work
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "BIN=" + bin, "SALES_DB_HOST=db", "SALES_DB_NAME=sales", "SALES_DB_USER=u"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("run.sh with stand-ins: %v\n%s", err, out)
	}
	data, err := os.ReadFile(seen)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSpace(string(data)), "\n")
	slices.Sort(got)
	want := []string{"api 127.0.0.1:3000 debug 127.0.0.1:3010", "metrics 127.0.0.1:4000 debug 127.0.0.1:4010"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("addresses make run gives (-want +got):\n%s", diff)
	}
}
