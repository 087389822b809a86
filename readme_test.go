// The examples of the README and of the pages in docs/, run as written
// against the stack `make run` starts. Examples meant to run are fenced as
// ```sh test (run by sh, which may be dash: no bashisms) or ```bash test;
// each curl in them shows its status (-w ' %{http_code}\n', or -i) and ends
// with the status it should show (# → 201), and the test fails when an
// example fails, a curl answers another status, or an example uses a
// variable no earlier example of its page set.
package readme_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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

// example is one runnable block of a page.
type example struct {
	line   int      // of its first command
	shell  string   // sh or bash, from its fence
	script string   // its text
	expect []status // the status each of its curls answers, in order
}

type status struct {
	line int
	code int
}

var (
	fence      = regexp.MustCompile("^```(sh|bash) test\\s*$")
	curlCall   = regexp.MustCompile(`(^|[\s($|;&])curl\s`)
	expectNote = regexp.MustCompile(`#\s*→\s*(\d{3})\b`)
	// showsStatus: the curl prints its status for the reader, by a
	// --write-out naming it or with the headers (-i).
	showsStatus = regexp.MustCompile(`%\{(http_code|response_code)\}|(^|\s)(--include|-[a-zA-Z]*i[a-zA-Z]*)(\s|$)`)
	// clusteredWriteOut is -w given in a cluster of short flags (-sw),
	// which the test's curl wrapper would not see.
	clusteredWriteOut = regexp.MustCompile(`(^|\s)-[a-zA-Z]+w(\s|$)`)
)

// pages returns the files whose examples run, in the order they run: the
// README, then the pages of docs/ by name.
func pages() ([]string, error) {
	docs, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil {
		return nil, err
	}
	slices.Sort(docs)
	return append([]string{"README.md"}, docs...), nil
}

// examples reads the runnable examples of the markdown file at path. A
// page's examples run in one shell, so they must all be of one kind.
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
			shell := fence.FindStringSubmatch(line)[1]
			if len(out) > 0 && out[0].shell != shell {
				return nil, fmt.Errorf("%s:%d: a ```%s test example on a page of ```%s test ones: a page's examples run in one shell", path, n, shell, out[0].shell)
			}
			cur = &example{line: n + 1, shell: shell}
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
		if !showsStatus.MatchString(code) {
			return nil, fmt.Errorf("%s:%d: a curl that does not show its status: add -w ' %%{http_code}\\n' (or -i)", path, start)
		}
		if clusteredWriteOut.MatchString(code) {
			return nil, fmt.Errorf("%s:%d: a curl with -w among other short flags: give -w on its own", path, start)
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

// curlWrapper reports each curl's status on stderr, marked, ahead of the
// --write-out the example gives, which still goes to stdout. It is POSIX
// sh, for dash and bash alike.
const curlWrapper = `curl() {
	_readme_w=
	_readme_n=$#
	while [ "$_readme_n" -gt 0 ]; do
		_readme_a=$1
		shift
		_readme_n=$((_readme_n - 1))
		case $_readme_a in
		-w | --write-out)
			_readme_w=$1
			shift
			_readme_n=$((_readme_n - 1))
			continue
			;;
		--write-out=*)
			_readme_w=${_readme_a#--write-out=}
			continue
			;;
		-w?*)
			_readme_w=${_readme_a#-w}
			continue
			;;
		esac
		set -- "$@" "$_readme_a"
	done
	command curl "$@" -w "%{stderr}` + statusMark + `%{http_code}\n%{stdout}$_readme_w"
}
`

// TestREADME starts the stack as `make run` does (pgrun and
// zarf/dev/run.sh, on ports of its own) and runs the examples of every
// page, as a reader pasting a page's examples into one terminal would:
// each page in a fresh shell of its own, so a page makes what it uses.
func TestREADME(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole stack")
	}
	files, err := pages()
	if err != nil {
		t.Fatal(err)
	}
	exs := map[string][]example{}
	for _, page := range files {
		if exs[page], err = examples(page); err != nil {
			t.Fatal(err)
		}
	}
	if len(exs["README.md"]) == 0 {
		t.Fatal("README.md has no ```sh test examples")
	}
	st := startStack(t)

	for _, page := range files {
		if len(exs[page]) == 0 {
			continue
		}
		t.Run(page, func(t *testing.T) {
			runPage(t, st, page, exs[page])
		})
	}
}

// runPage runs the examples of one page in order, in one shell.
func runPage(t *testing.T, st *stack, page string, exs []example) {
	shell := exs[0].shell
	var script strings.Builder
	if shell == "bash" {
		script.WriteString("set -euo pipefail\n")
	} else {
		// pipefail is POSIX since 2024; dash has it from 0.5.13.
		script.WriteString("set -eu\n(set -o pipefail) 2>/dev/null && set -o pipefail\n")
	}
	script.WriteString(curlWrapper)
	var want []status
	for _, ex := range exs {
		fmt.Fprintf(&script, "echo '%s%d' >&2\n", exampleMark, ex.line)
		script.WriteString(st.localize(ex.script))
		want = append(want, ex.expect...)
	}

	cmd := exec.Command(shell, "-c", script.String())
	cmd.Dir = st.work
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + st.work, "LANG=C.UTF-8", "TMPDIR=" + t.TempDir()}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()

	var got []int
	at := 0 // the line of the example running
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
			t.Errorf("%s:%d: the curl never ran", page, w.line)
		case got[i] != w.code:
			t.Errorf("%s:%d: the curl answered %d, the page says %d", page, w.line, got[i], w.code)
		}
	}
	if len(got) > len(want) {
		t.Errorf("%d curls ran, %s lists %d", len(got), page, len(want))
	}
	if runErr != nil {
		t.Errorf("the example at %s:%d failed: %v", page, at, runErr)
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
	st := &stack{work: work, log: &lockedBuffer{}}

	bin := filepath.Join(work, "bin")
	buildRun(t, bin)
	if err := os.MkdirAll(filepath.Join(work, "zarf", "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Free ports are picked just before the stack binds them, not before
	// the builds: another test's listener or client may take a free port
	// meanwhile, and the builds take the longest.
	st.api, st.debug, st.metrics, st.mdebug = apitest.FreeAddr(t), apitest.FreeAddr(t), apitest.FreeAddr(t), apitest.FreeAddr(t)
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

	// The stack is ready when the API is, and the sidecar has read it:
	// the examples use both.
	ready := func() bool {
		return answers("http://"+st.api+"/v1/readiness", "") &&
			answers("http://"+st.metrics+"/metrics", "\nsales_api_up 1\n")
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !ready() {
		select {
		case err := <-exited:
			t.Fatalf("make run's stack exited: %v\n%s", err, st.log.Tail(40))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the API and its sidecar are not ready after 2m:\n%s", st.log.Tail(40))
		}
	}
	return st
}

// answers reports whether url answers 200 with a body that holds want.
func answers(url, want string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return err == nil && resp.StatusCode == http.StatusOK && strings.Contains(string(body), want)
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

// TestExamplesParse: examples are the ```sh test and ```bash test blocks
// only, commands continued with \ are one command, each curl must show its
// status and say which it should be, and a page's examples are of one
// shell.
func TestExamplesParse(t *testing.T) {
	for _, tt := range []struct {
		name, md string
		want     []example
		err      string
	}{
		{
			name: "only sh test blocks",
			md:   "text\n```sh\ncurl -s x\n```\n```sh test\nA=$(curl -s -w '%{http_code}' \\\n  http://h/a)  # → 200\necho $A\n```\n",
			want: []example{{line: 6, shell: "sh", script: "A=$(curl -s -w '%{http_code}' \\\n  http://h/a)  # → 200\necho $A\n", expect: []status{{line: 6, code: 200}}}},
		},
		{
			name: "bash test blocks, the status shown by the headers",
			md:   "```bash test\ncurl -s -i http://h/a  # → 201\n```\n```bash test\necho ${A:0:8}\n```\n",
			want: []example{
				{line: 2, shell: "bash", script: "curl -s -i http://h/a  # → 201\n", expect: []status{{line: 2, code: 201}}},
				{line: 5, shell: "bash", script: "echo ${A:0:8}\n"},
			},
		},
		{
			name: "a curl without its status",
			md:   "```sh test\ncurl -s -w ' %{http_code}\\n' http://h/a\n```\n",
			err:  "README.md:2: a curl without the status it answers",
		},
		{
			name: "a curl that does not show its status",
			md:   "```sh test\ncurl -s http://h/a  # → 200\n```\n",
			err:  "README.md:2: a curl that does not show its status",
		},
		{
			name: "a -w the wrapper cannot see",
			md:   "```sh test\ncurl -sw '%{http_code}' http://h/a  # → 200\n```\n",
			err:  "README.md:2: a curl with -w among other short flags",
		},
		{
			name: "two shells on a page",
			md:   "```sh test\necho a\n```\n```bash test\necho b\n```\n",
			err:  "README.md:4: a ```bash test example on a page of ```sh test ones",
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

// TestEveryPageParses: the examples of every page read, so a page whose
// examples TestREADME would refuse fails here too, in -short runs.
func TestEveryPageParses(t *testing.T) {
	files, err := pages()
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range files {
		if _, err := examples(page); err != nil {
			t.Error(err)
		}
	}
}

// TestErrorCodesTable: the table of error codes, on whichever page has it,
// lists every code the API has, each with its status, and no other; and
// only one page has it.
func TestErrorCodesTable(t *testing.T) {
	files, err := pages()
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| ([a-z_]+) \| (\d{3})\b`)
	got := map[string]int{}
	var in []string
	for _, page := range files {
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		rows := row.FindAllStringSubmatch(string(data), -1)
		if len(rows) == 0 {
			continue
		}
		in = append(in, page)
		for _, m := range rows {
			got[m[1]], _ = strconv.Atoi(m[2])
		}
	}
	if len(in) != 1 {
		t.Errorf("the table of error codes is on %d pages (%s), want one", len(in), strings.Join(in, ", "))
	}
	want := map[string]int{}
	for _, c := range errs.Codes() {
		want[string(c)] = c.Status()
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the error codes of %s (-the API's +the page's):\n%s", strings.Join(in, ", "), diff)
	}
}
