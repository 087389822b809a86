package pgserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMain lets a test run this test binary as a process that starts a
// throwaway cluster (startOwner).
func TestMain(m *testing.M) {
	if os.Getenv("PGSERVER_TEST_OWNER") == "1" {
		os.Exit(ownCluster())
	}
	os.Exit(m.Run())
}

// ownCluster starts a throwaway cluster, prints its folder, postgres's PID
// and its URL, and stops it when its standard input closes.
func ownCluster() int {
	srv, err := Start(context.Background(), Config{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("%s %d %s\n", filepath.Dir(srv.DataDir()), srv.cmd.Process.Pid, srv.URL("postgres"))
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := srv.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// owner is a process that started a throwaway cluster.
type owner struct {
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	base     string // the cluster's folder
	postgres int    // its postgres's PID
	url      string
}

// startOwner starts a process that owns a throwaway cluster; it stops
// the cluster when the test ends.
func startOwner(t *testing.T) *owner {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "PGSERVER_TEST_OWNER=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	o := &owner{cmd: cmd, stdin: stdin}
	t.Cleanup(func() {
		o.stdin.Close()
		_ = o.cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if _, serr := fmt.Sscan(line, &o.base, &o.postgres, &o.url); err != nil || serr != nil {
		t.Fatalf("the cluster's owner said %q (%v, %v)", line, err, serr)
	}
	return o
}

// sweepRoot makes a temp dir of the test's own the temp dir, one the
// postgres user can enter when we are root: the sweeps of the test's
// starts see only the test's clusters.
func sweepRoot(t *testing.T) string {
	t.Helper()
	root, err := os.MkdirTemp("", "pgserver-sweep-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", root)
	return root
}

// TestStandInGoesWithItsDataDir: as root, a data dir the postgres user
// cannot reach gets a stand-in under the temp dir; once the folder of the
// data dir asked for is gone (a test's temp dir), the next start removes
// the stand-in, as the data would have gone with that folder.
func TestStandInGoesWithItsDataDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only a start as root makes stand-ins")
	}
	root := sweepRoot(t)
	parent := t.TempDir() // mode 700: the postgres user cannot enter it
	srv := start(t, Config{DataDir: filepath.Join(parent, "pg", "data")})
	standIn := filepath.Dir(srv.DataDir())
	if filepath.Dir(standIn) != root {
		t.Fatalf("the data dir is %s, not a stand-in under %s", srv.DataDir(), root)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	next := start(t, Config{})
	t.Cleanup(func() { next.Stop() })
	if _, err := os.Stat(standIn); err != nil {
		t.Fatalf("the stand-in went while its data dir's folder is there: %v", err)
	}
	if err := os.RemoveAll(parent); err != nil {
		t.Fatal(err)
	}
	last := start(t, Config{})
	t.Cleanup(func() { last.Stop() })
	if _, err := os.Stat(standIn); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stand-in %s is still there after its data dir's folder went (stat: %v)", standIn, err)
	}
}

// TestStartSweepsClustersLeftBehind: a start removes the throwaway
// clusters whose owner is gone (a test binary killed with kill -9),
// stopping the postgres still running in one, and the stand-ins whose data
// dir's folder is gone; it keeps a cluster whose owner runs, one that
// records no owner and a stand-in whose folder is there.
func TestStartSweepsClustersLeftBehind(t *testing.T) {
	root := sweepRoot(t)

	live := startOwner(t)
	killed := startOwner(t)
	if err := killed.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = killed.cmd.Wait()
	t.Cleanup(func() { _ = stopOrphan(killed.postgres) }) // should the sweep not have
	if !isPostgres(killed.postgres) {
		t.Fatalf("postgres (pid %d) ended with the process that started it: nothing to sweep", killed.postgres)
	}

	// A folder that records no owner (an older version's, or anyone's
	// that looks alike): nothing says whether its maker runs.
	unowned := filepath.Join(root, throwawayPrefix+"111")
	if err := os.MkdirAll(filepath.Join(unowned, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	writePID(t, filepath.Join(unowned, "data", "postmaster.pid"), deadPID(t))
	// Stand-ins, as a start as root makes them for a data dir the
	// postgres user cannot reach: one for a folder that is gone (a test's
	// temp dir, removed), one for a folder that is there.
	standInGone := filepath.Join(root, throwawayPrefix+"aaaaaaaaaaaa")
	standInKept := filepath.Join(root, throwawayPrefix+"bbbbbbbbbbbb")
	for dir, requested := range map[string]string{
		standInGone: filepath.Join(root, "removed", "pg", "data"),
		standInKept: filepath.Join(root, "checkout", ".data", "pg"),
	} {
		if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "data", "PG_VERSION"), []byte("17\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := recordStandIn(dir, requested); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "checkout", ".data"), 0o755); err != nil {
		t.Fatal(err)
	}

	srv := start(t, Config{})
	t.Cleanup(func() { srv.Stop() })

	exists := func(dir string) bool {
		_, err := os.Stat(dir)
		return !errors.Is(err, os.ErrNotExist)
	}
	got := map[string]bool{}
	for name, dir := range map[string]string{
		"killed owner's": killed.base, "live owner's": live.base, "unowned": unowned, "the new one's": filepath.Dir(srv.DataDir()),
		"stand-in for a folder gone": standInGone, "stand-in for a folder there": standInKept,
	} {
		got[name] = exists(dir)
	}
	want := map[string]bool{
		"killed owner's": false, "live owner's": true, "unowned": true, "the new one's": true,
		"stand-in for a folder gone": false, "stand-in for a folder there": true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cluster folders there after the start (-want +got):\n%s", diff)
	}
	if isPostgres(killed.postgres) {
		t.Errorf("the killed owner's postgres (pid %d) still runs", killed.postgres)
	}
	if err := ping(context.Background(), live.url); err != nil {
		t.Errorf("the live owner's cluster no longer answers: %v", err)
	}
	if entries, _ := filepath.Glob(filepath.Join(root, throwawayPrefix+"*")); len(entries) != 4 {
		t.Errorf("the temp dir holds %s; want the live owner's, the unowned one, the stand-in kept and the new cluster's", strings.Join(entries, ", "))
	}
}
