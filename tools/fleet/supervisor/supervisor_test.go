package supervisor_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/garagesale/service/tools/fleet/fleetfile"
	"github.com/garagesale/service/tools/fleet/supervisor"
	"github.com/google/go-cmp/cmp"
)

// start returns a supervisor of the fleet file text in a folder of its
// own, brought down when the test ends.
func start(t *testing.T, text string) *supervisor.Supervisor {
	t.Helper()
	s, _ := startIn(t, text)
	return s
}

// startIn is start that also returns the fleet's root folder, which holds
// its .fleet folder.
func startIn(t *testing.T, text string) (*supervisor.Supervisor, string) {
	t.Helper()
	f, err := fleetfile.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	dir := filepath.Join(root, ".fleet")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := supervisor.New(root, dir, f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Down)
	return s, root
}

// health maps each instance (or service, when it runs none) to its health
// or note.
func health(rows []supervisor.Row) map[string]string {
	got := map[string]string{}
	for _, r := range rows {
		if r.Instance == "" {
			got[r.Service] = r.Note
			continue
		}
		got[r.Instance] = r.Health
	}
	return got
}

func TestUpInOrderThenDownStopsEverything(t *testing.T) {
	s := start(t, `
services:
  db:
    command: [sh, -c, "exec sleep 300"]
  migrate:
    command: [sh, -c, "echo migrated"]
    once: true
    after: [db]
  api:
    command: [sh, -c, "exec sleep 300"]
    after: [migrate]
    scale: 2
  absent:
    command: [x]
    requires: no-such-program-here
`)
	if err := s.Up(context.Background(), nil, false); err != nil {
		t.Fatal(err)
	}
	rows := s.PS()
	want := map[string]string{
		"db.1": supervisor.Running, "migrate.1": supervisor.Done, "api.1": supervisor.Running, "api.2": supervisor.Running,
		"absent": "skipped: no-such-program-here is not installed",
	}
	if diff := cmp.Diff(want, health(rows)); diff != "" {
		t.Fatalf("ps after up (-want +got):\n%s", diff)
	}

	s.Down()
	for _, r := range rows {
		if r.PID != 0 && r.Health != supervisor.Done && syscall.Kill(r.PID, 0) == nil {
			t.Errorf("%s (pid %d) still runs after down", r.Instance, r.PID)
		}
	}
}

func TestACrashIsRestartedAndCounted(t *testing.T) {
	s := start(t, `
services:
  flaky:
    command: [sh, -c, "echo up; sleep 0.2; exit 3"]
`)
	if err := s.Up(context.Background(), nil, false); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		rows := s.PS()
		if len(rows) == 1 && rows[0].Restarts >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no second restart within 10 s: %+v", rows)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestUpFails(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	port := held.Addr().(*net.TCPAddr).Port

	tests := []struct {
		name string
		file string
		want []string
	}{
		{
			name: "a job that fails quotes its output",
			file: "services:\n  job:\n    command: [sh, -c, \"echo the reason >&2; exit 2\"]\n    once: true\n",
			want: []string{"job.1 failed", "the reason"},
		},
		{
			name: "a port another program holds names it",
			file: fmt.Sprintf("services:\n  api:\n    command: [sh, -c, \"exec sleep 300\"]\n    ports: {api: %d}\n", port),
			want: []string{fmt.Sprintf("api.1: its api port %d is held by pid %d", port, os.Getpid())},
		},
		{
			name: "a service that exits before it is healthy",
			file: "services:\n  api:\n    command: [sh, -c, \"echo cannot start; exit 1\"]\n    health: tcp://127.0.0.1:1\n",
			want: []string{"api.1 exited before it was healthy", "cannot start"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, tt.file)
			err := s.Up(context.Background(), nil, false)
			if err == nil {
				t.Fatal("up succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestScaleAndRestartOneAtATime(t *testing.T) {
	s := start(t, `
services:
  api:
    command: [sh, -c, "exec sleep 300"]
`)
	ctx := context.Background()
	if err := s.Up(ctx, nil, false); err != nil {
		t.Fatal(err)
	}
	if err := s.Scale(ctx, "api", 3); err != nil {
		t.Fatal(err)
	}
	before := s.PS()
	if len(before) != 3 {
		t.Fatalf("after scale 3: %+v", before)
	}
	if err := s.Restart(ctx, "api"); err != nil {
		t.Fatal(err)
	}
	after := s.PS()
	for i := range after {
		if after[i].PID == before[i].PID {
			t.Errorf("%s kept pid %d through a restart", after[i].Instance, after[i].PID)
		}
	}
	if err := s.Scale(ctx, "api", 1); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"api.1": supervisor.Running}, health(s.PS())); diff != "" {
		t.Errorf("after scale 1 (-want +got):\n%s", diff)
	}
	if err := s.Scale(ctx, "nope", 1); err == nil || !strings.Contains(err.Error(), `no service "nope"`) {
		t.Errorf("scale of an unknown service: %v", err)
	}
}

// TestBuildSaysWhatItWaitsFor: while a service builds, the fleet log (what
// fleet up shows) says what is being built, shows the build's own lines
// as they come, and says again that it still builds until it is done.
func TestBuildSaysWhatItWaitsFor(t *testing.T) {
	defer supervisor.SetBuildProgress(time.Millisecond)()
	s, root := startIn(t, `
services:
  tool:
    build: echo "compiling the tool (once; about 7 minutes)" && while [ ! -f built ]; do sleep 0.01; done
    command: [sh, -c, "exec sleep 300"]
`)
	dir := filepath.Join(root, ".fleet")
	logPath := filepath.Join(dir, supervisor.LogName)
	// finish ends the build: before a failure too, or the test's Down
	// would wait for it.
	finish := func() {
		if err := os.WriteFile(filepath.Join(root, "built"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	up := make(chan error, 1)
	go func() { up <- s.Up(context.Background(), nil, false) }()
	// The build ends once the log has said that it still runs (it says
	// so every millisecond; a minute is for a machine that is very busy).
	for deadline := time.Now().Add(time.Minute); ; {
		text, _ := os.ReadFile(logPath)
		if strings.Contains(string(text), "still building tool:") {
			break
		}
		if time.Now().After(deadline) {
			finish()
			t.Fatalf("the log did not say the build still runs:\n%s", text)
		}
		select {
		case err := <-up:
			t.Fatalf("up ended before the build said it still runs: %v\n%s", err, text)
		case <-time.After(10 * time.Millisecond):
		}
	}
	finish()
	if err := <-up; err != nil {
		t.Fatal(err)
	}

	// The fleet's own lines without their times, up to the start: the
	// "still building" lines, which come whenever the ticker ticks, apart.
	text, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	stillBuilding := 0
	for line := range strings.Lines(string(text)) {
		name, msg, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		if name != supervisor.FleetName {
			continue
		}
		if _, rest, ok := strings.Cut(msg, " "); ok && !strings.HasPrefix(msg, " ") {
			msg = rest // the time
		}
		if strings.HasPrefix(msg, "started tool.1") {
			break
		}
		switch {
		case strings.HasPrefix(msg, "still building tool: "):
			stillBuilding++
			continue
		case strings.HasPrefix(msg, "built tool in "):
			msg = "built tool in ..."
		}
		got = append(got, msg)
	}
	want := []string{
		`building tool: echo "compiling the tool (once; about 7 minutes)" && while [ ! -f built ]; do sleep 0.01; done`,
		"    compiling the tool (once; about 7 minutes)",
		"built tool in ...",
	}
	if stillBuilding == 0 {
		t.Errorf("no line between building and built said the build still ran:\n%s", text)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the fleet's lines while it built (-want +got):\n%s\nlog:\n%s", diff, text)
	}
}
