package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMain lets a test run this test binary as the fleet command itself,
// a real process with its own output and exit status.
func TestMain(m *testing.M) {
	if os.Getenv("FLEET_TEST_AS_COMMAND") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fleetCommand runs the fleet command in dir and returns its output and
// exit status.
func fleetCommand(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FLEET_TEST_AS_COMMAND=1", "NO_COLOR=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// fleetDir is a repository folder with fleetFile as zarf/fleet.yaml and
// log as the fleet's log, as a fleet that ran there leaves it.
func fleetDir(t *testing.T, fleetFile, log string) string {
	t.Helper()
	dir := t.TempDir()
	for path, data := range map[string]string{"zarf/fleet.yaml": fleetFile, ".fleet/fleet.log": log} {
		path = filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLogsArguments(t *testing.T) {
	// api.3 ran after a scale to 3; its lines stay in the log.
	dir := fleetDir(t, "services:\n  db:\n    command: [db]\n  api:\n    command: [api]\n    scale: 2\n",
		"fleet\tstarting\ndb.1\tready\napi.1\tone\napi.2\ttwo\napi.1\tthree\napi.3\tscaled\n")

	tests := []struct {
		name     string
		args     []string
		wantOut  string
		wantErr  string // the first line of stderr
		wantCode int
	}{
		{name: "flags after the name", args: []string{"logs", "api.1", "-n", "1"}, wantOut: "api.1 | three\n"},
		{name: "flags before the name", args: []string{"logs", "-n", "1", "api.1"}, wantOut: "api.1 | three\n"},
		{name: "flags on both sides", args: []string{"logs", "-n", "2", "api", "-f=false"}, wantOut: "api.1 | three\napi.3 | scaled\n"},
		{name: "an instance only the log knows", args: []string{"logs", "api.3"}, wantOut: "api.3 | scaled\n"},
		{name: "the fleet's own lines", args: []string{"logs", "fleet"}, wantOut: "fleet | starting\n"},
		{
			name: "an unknown service names the known ones", args: []string{"logs", "web", "-n", "3"},
			wantErr: `fleet: logs: no service "web" in the fleet file: the services are db, api, fleet (or an instance, such as db.1)`, wantCode: 1,
		},
		{
			name: "an unknown instance names its service's", args: []string{"logs", "api.7"},
			wantErr: `fleet: logs: no instance "api.7": api has api.1, api.2, api.3`, wantCode: 1,
		},
		{
			name: "two names", args: []string{"logs", "db", "api"},
			wantErr: "fleet: logs takes one service or instance, not 2 (db api)", wantCode: 2,
		},
		{
			name: "an unknown flag", args: []string{"logs", "api", "-x"},
			wantErr: "fleet: logs: flag provided but not defined: -x", wantCode: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := fleetCommand(t, dir, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, tt.wantCode, errOut)
			}
			if diff := cmp.Diff(tt.wantOut, out); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			first, _, _ := strings.Cut(errOut, "\n")
			if diff := cmp.Diff(tt.wantErr, first); diff != "" {
				t.Errorf("stderr's first line (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLogsByTrace: logs -trace keeps one request's lines, of every
// instance, and leaves out the rest (other requests, plain text).
func TestLogsByTrace(t *testing.T) {
	line := func(msg, trace string) string {
		return `{"time":"2026-03-01T10:15:30.123456Z","level":"INFO","msg":"` + msg + `","service":"sales-api","trace_id":"` + trace + `"}`
	}
	log := strings.Join([]string{
		"fleet\tstarting 4bf92f35", // plain text naming the ID is not the request's
		"api.1\t" + line("request started", "4bf92f3577b34da6a3ce929d0e0e4736"),
		"api.2\t" + line("other request", "00000000000000004bf92f3500000000"), // the ID elsewhere in another's
		"api.1\t" + line("request completed", "4bf92f3577b34da6a3ce929d0e0e4736"),
		"api.2\t" + `{"msg":"cut short","trace_id":"4bf92f35`, // not JSON: no request's
	}, "\n") + "\n"
	dir := fleetDir(t, "services:\n  api:\n    command: [api]\n    scale: 2\n", log)
	started := "api.1 | 10:15:30.123 INFO  sales-api 4bf92f35 request started\n"
	completed := "api.1 | 10:15:30.123 INFO  sales-api 4bf92f35 request completed\n"
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"logs", "-trace", "4bf92f35"}, started + completed},
		// -n counts the request's lines, not the log's.
		{[]string{"logs", "-n", "1", "-trace", "4bf92f35"}, completed},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := fleetCommand(t, dir, tt.args...)
			if code != 0 {
				t.Fatalf("exit status %d: %s", code, errOut)
			}
			if diff := cmp.Diff(tt.want, out); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
		})
	}
}
