package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/garagesale/service/api/tooling/pgrun/connfile"
	"github.com/google/go-cmp/cmp"
)

// dataDir returns a data directory for a kept cluster, inside the test's
// temp dir. Running as root, postgres runs as the postgres user, which must
// be able to enter it: otherwise pgserver uses a stand-in under the system
// temp dir, which would outlive the test.
func dataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "pg")
}

// freePort returns a port on 127.0.0.1 that nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestConnectionFileHoldsWhatTheCommandGetsWhileItRuns(t *testing.T) {
	data := dataDir(t)
	port := freePort(t)
	out := t.TempDir()
	file := filepath.Join(data, connfile.Name)
	copied := filepath.Join(out, "copy.env")
	childEnv := filepath.Join(out, "child.env")

	// The command keeps what it sees: the file as it is while the command
	// runs, and its own SALES_DB_ variables.
	var stderr bytes.Buffer
	status := run([]string{"--data", data, "--port", strconv.Itoa(port), "--",
		"sh", "-c", `cp "$1" "$2" && env | grep '^SALES_DB_' > "$3"`, "sh", file, copied, childEnv,
	}, &stderr)
	if status != 0 {
		t.Fatalf("pgrun exited %d:\n%s", status, stderr.String())
	}

	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s after pgrun ended: stat error %v, want none: the file goes with the server", file, err)
	}

	got, err := connfile.Read(copied)
	if err != nil {
		t.Fatal(err)
	}
	want, err := connfile.Read(childEnv)
	if err != nil {
		t.Fatal(err)
	}
	host := "127.0.0.1:" + strconv.Itoa(port)
	want["DATABASE_URL"] = "postgres://postgres:postgres@" + host + "/postgres?sslmode=disable"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("connection file against the command's environment (-want +got):\n%s", diff)
	}
	if got["SALES_DB_HOST"] != host {
		t.Errorf("SALES_DB_HOST = %q, want %q: the port asked for", got["SALES_DB_HOST"], host)
	}
}

func TestTakenPortSaysWhichAndHowToChooseAnother(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	data := dataDir(t)

	var stderr bytes.Buffer
	status := run([]string{"--data", data, "--port", strconv.Itoa(port), "--", "true"}, &stderr)
	if status == 0 {
		t.Fatal("pgrun succeeded on a taken port")
	}
	for _, want := range []string{"port " + strconv.Itoa(port) + " on 127.0.0.1 is taken", "make run DB_PORT="} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join(data, connfile.Name)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a connection file was written for a server that did not start (stat error %v)", err)
	}
	// Said before anything was made: no cluster initialised for nothing.
	if strings.Contains(stderr.String(), "initialising cluster") {
		t.Errorf("pgrun initialised a cluster before finding the port taken:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a cluster was made in %s for a port that was taken (stat error %v)", data, err)
	}
}
