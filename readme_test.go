// The README's examples, run as written against the stack `make run`
// starts. Examples meant to run are fenced as ```sh test; each curl in them
// ends with the status it answers (# → 201), and the test fails when an
// example fails, a curl answers another status, or an example uses a
// variable no earlier example set.
package readme_test

import (
	"bufio"
	"bytes"
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

	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/google/go-cmp/cmp"
)

// example is one ```sh test block of the README.
type example struct {
	line   int      // of its first command
	script string   // its text
	expect []status // the status each of its curls answers, in order
}

type status struct {
	line int
	code int
}

var (
	fence      = regexp.MustCompile("^```sh test\\s*$")
	curlCall   = regexp.MustCompile(`(^|[\s($|;&])curl\s`)
	expectNote = regexp.MustCompile(`#\s*→\s*(\d{3})\b`)
)

// examples reads the runnable examples of the markdown file at path.
func examples(path string) ([]example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	var (
		out     []example
		cur     *example
		logical strings.Builder // a command continued over lines with \
		start   int
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && fence.MatchString(line):
			cur = &example{line: n + 1}
			continue
		case cur == nil:
			continue
		case strings.HasPrefix(line, "```"):
			if logical.Len() > 0 {
				return nil, fmt.Errorf("%s:%d: the example ends inside a command continued with \\", path, n)
			}
			out = append(out, *cur)
			cur = nil
			continue
		}
		cur.script += line + "\n"
		if logical.Len() == 0 {
			start = n
		}
		if body, ok := strings.CutSuffix(line, `\`); ok {
			logical.WriteString(body)
			continue
		}
		logical.WriteString(line)
		cmd := logical.String()
		logical.Reset()

		code, _, _ := strings.Cut(cmd, "#")
		if !curlCall.MatchString(code) {
			continue
		}
		m := expectNote.FindStringSubmatch(cmd)
		if m == nil {
			return nil, fmt.Errorf("%s:%d: a curl without the status it answers: end the command with # → 200 (or what it answers)", path, start)
		}
		c, _ := strconv.Atoi(m[1])
		cur.expect = append(cur.expect, status{line: start, code: c})
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d: an example is never closed", path, cur.line-1)
	}
	return out, sc.Err()
}

// TestREADME starts the stack as `make run` does (pgrun and
// zarf/dev/run.sh, on ports of its own) and runs every example in order in
// one bash, as a reader pasting them into one terminal would.
func TestREADME(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole stack")
	}
	exs, err := examples("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(exs) == 0 {
		t.Fatal("README.md has no ```sh test examples")
	}
	st := startStack(t)

	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	// Every curl reports its status on stderr, after its own output.
	script.WriteString(`curl() { command curl -w '%{stderr}` + statusMark + `%{http_code}\n' "$@"; }` + "\n")
	var want []status
	for _, ex := range exs {
		fmt.Fprintf(&script, "echo '%s%d' >&2\n", exampleMark, ex.line)
		script.WriteString(st.localize(ex.script))
		want = append(want, ex.expect...)
	}

	cmd := exec.Command("bash", "-c", script.String())
	cmd.Dir = st.work
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + st.work, "LANG=C.UTF-8"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()

	var got []int
	at := 0 // the README line of the example running
	for line := range strings.Lines(stderr.String()) {
		line = strings.TrimSpace(line)
		if s, ok := strings.CutPrefix(line, statusMark); ok {
			code, _ := strconv.Atoi(s)
			got = append(got, code)
		}
		if s, ok := strings.CutPrefix(line, exampleMark); ok {
			at, _ = strconv.Atoi(s)
		}
	}
	for i, w := range want {
		switch {
		case i >= len(got):
			t.Errorf("README.md:%d: the curl never ran", w.line)
		case got[i] != w.code:
			t.Errorf("README.md:%d: the curl answered %d, the README says %d", w.line, got[i], w.code)
		}
	}
	if len(got) > len(want) {
		t.Errorf("%d curls ran, the README lists %d", len(got), len(want))
	}
	if runErr != nil {
		t.Errorf("the example at README.md:%d failed: %v", at, runErr)
	}
	if t.Failed() {
		t.Logf("output:\n%s\nerrors:\n%s\nthe stack's log, last lines:\n%s", tail(stdout.String(), 40), tail(stderr.String(), 40), st.log.Tail(40))
	}
}

const (
	statusMark  = "README-STATUS "
	exampleMark = "README-EXAMPLE "
)

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// stack is make run's stack, started by the test in a folder of its own.
type stack struct {
	work                        string // the reader's checkout: bin/, zarf/keys/, .data/pg/
	api, debug, metrics, mdebug string // host:port
	log                         *lockedBuffer
}

// localize points the README's addresses at this stack's ports.
func (s *stack) localize(script string) string {
	return strings.NewReplacer(
		"localhost:3000", s.api,
		"localhost:3010", s.debug,
		"localhost:4000", s.metrics,
	).Replace(script)
}

func startStack(t *testing.T) *stack {
	t.Helper()
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	st := &stack{work: work, api: apitest.FreeAddr(t), debug: apitest.FreeAddr(t), metrics: apitest.FreeAddr(t), mdebug: apitest.FreeAddr(t), log: &lockedBuffer{}}

	bin := filepath.Join(work, "bin")
	for _, b := range []struct {
		dir  string
		args []string
	}{
		// As make build-local names them.
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
	if err := os.MkdirAll(filepath.Join(work, "zarf", "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, dbPort, _ := net.SplitHostPort(apitest.FreeAddr(t))

	cmd := exec.Command(filepath.Join(work, "bin", "pgrun"), "--data", filepath.Join(work, ".data", "pg"), "--port", dbPort,
		"--", filepath.Join(root, "zarf", "dev", "run.sh"))
	cmd.Dir = work
	cmd.Env = append(os.Environ(),
		"SALES_WEB_API_HOST="+st.api,
		"SALES_WEB_DEBUG_HOST="+st.debug,
		"METRICS_WEB_METRICS_HOST="+st.metrics,
		"METRICS_WEB_DEBUG_HOST="+st.mdebug,
		"METRICS_COLLECT_FROM=http://"+st.debug+"/debug/vars",
		"METRICS_COLLECT_READY=http://"+st.debug+"/debug/readiness",
	)
	cmd.Stdout, cmd.Stderr = st.log, st.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		// Ctrl-C, as a reader stops make run: the API, then Postgres.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		// The stack stops in a few seconds; the bound allows for a CI
		// machine whose two cores also build and test everything else.
		select {
		case <-exited:
		case <-time.After(90 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Errorf("make run's stack still running 90s after Ctrl-C; its log, last lines:\n%s", st.log.Tail(40))
		}
	})

	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get("http://" + st.api + "/v1/readiness")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return st
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("make run's stack exited: %v\n%s", err, st.log.Tail(40))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the API is not ready after 2m:\n%s", st.log.Tail(40))
		}
	}
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Tail returns the last n lines written.
func (b *lockedBuffer) Tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return tail(b.buf.String(), n)
}

// TestExamplesParse: examples are the ```sh test blocks only, commands
// continued with \ are one command, and each curl must say its status.
func TestExamplesParse(t *testing.T) {
	for _, tt := range []struct {
		name, md string
		want     []example
		err      string
	}{
		{
			name: "only sh test blocks",
			md:   "text\n```sh\ncurl -s x\n```\n```sh test\nA=$(curl -s \\\n  http://h/a)  # → 200\necho $A\n```\n",
			want: []example{{line: 6, script: "A=$(curl -s \\\n  http://h/a)  # → 200\necho $A\n", expect: []status{{line: 6, code: 200}}}},
		},
		{
			name: "a curl without its status",
			md:   "```sh test\ncurl -s http://h/a\n```\n",
			err:  "README.md:2: a curl without the status it answers",
		},
		{
			name: "never closed",
			md:   "```sh test\necho hi\n",
			err:  "README.md:1: an example is never closed",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "README.md")
			if err := os.WriteFile(path, []byte(tt.md), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := examples(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(example{}, status{})); diff != "" {
				t.Errorf("examples (-want +got):\n%s", diff)
			}
		})
	}
}

// TestErrorCodesTable: the README's table of error codes lists every code
// the API has, each with its status, and no other.
func TestErrorCodesTable(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| ([a-z_]+) \| (\d{3})\b`)
	got := map[string]int{}
	for _, m := range row.FindAllStringSubmatch(string(data), -1) {
		got[m[1]], _ = strconv.Atoi(m[2])
	}
	want := map[string]int{}
	for _, c := range errs.Codes() {
		want[string(c)] = c.Status()
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README's error codes (-the API's +the README's):\n%s", diff)
	}
}
