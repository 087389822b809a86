package pgserver

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.Log = func(msg string, args ...any) { t.Log(append([]any{msg}, args...)...) }
	srv, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	return srv
}

func open(t *testing.T, srv *Server) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", srv.URL("postgres"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestThrowawayClusterAnswersAndIsRemovedOnStop(t *testing.T) {
	srv := start(t, Config{})
	db := open(t, srv)

	type settings struct {
		Listen, User, Encoding, RandomPageCost string
		Collate, Ctype, Lower                  string
		Sorted                                 string
		Sum                                    int
	}
	var got settings
	err := db.QueryRow(`SELECT current_setting('listen_addresses'), current_user,
		pg_encoding_to_char(encoding), current_setting('random_page_cost'),
		datcollate, datctype, lower('CAFÉ'), (SELECT string_agg(w, ' ' ORDER BY w) FROM unnest(ARRAY['b', 'É', 'a', 'B']) w),
		20 + 22 FROM pg_database WHERE datname = 'postgres'`).
		Scan(&got.Listen, &got.User, &got.Encoding, &got.RandomPageCost, &got.Collate, &got.Ctype, &got.Lower, &got.Sorted, &got.Sum)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	// Code point order; Unicode's case.
	want := settings{Listen: "127.0.0.1", User: "postgres", Encoding: "UTF8", RandomPageCost: "1.1",
		Collate: "C", Ctype: "C.UTF-8", Lower: "café", Sorted: "B a b É", Sum: 42}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("server settings (-want +got):\n%s", diff)
	}
	db.Close()

	if err := srv.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Errorf("second stop: %v", err)
	}
	if c, err := net.DialTimeout("tcp", srv.Host(), time.Second); err == nil {
		c.Close()
		t.Errorf("port %d still accepts connections after Stop", srv.Port())
	}
	if _, err := os.Stat(filepath.Dir(srv.DataDir())); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cluster folder %s still there after Stop (err %v)", filepath.Dir(srv.DataDir()), err)
	}
}

func TestPersistentDataDirKeepsData(t *testing.T) {
	requested := filepath.Join(t.TempDir(), "pg", "data")
	cfg := Config{DataDir: requested, User: "sales", Password: "secret"}

	srv := start(t, cfg)
	dataDir := srv.DataDir()
	if dataDir != requested {
		// Running as root, the postgres user could not enter t.TempDir().
		t.Cleanup(func() { os.RemoveAll(filepath.Dir(dataDir)) })
	}
	t.Cleanup(func() { srv.Stop() })

	if _, err := open(t, srv).Exec(`CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ('first run')`); err != nil {
		t.Fatalf("write: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	// Each case leaves the data dir as some earlier run might have, then
	// starts the cluster again and expects the data back.
	tests := []struct {
		name  string
		setup func(t *testing.T)
	}{
		{
			name:  "after a clean stop",
			setup: func(*testing.T) {},
		},
		{
			name: "after a crash left a postmaster.pid naming a dead process",
			setup: func(t *testing.T) {
				writePID(t, filepath.Join(dataDir, "postmaster.pid"), deadPID(t))
			},
		},
		{
			name: "after the launcher crashed and left postgres running",
			setup: func(t *testing.T) {
				orphan := start(t, cfg)
				t.Cleanup(func() { orphan.Stop() })
				writePID(t, filepath.Join(dataDir, ownerFile), deadPID(t))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup(t)
			srv := start(t, cfg)
			t.Cleanup(func() { srv.Stop() })

			var got string
			if err := open(t, srv).QueryRow(`SELECT v FROM kept`).Scan(&got); err != nil {
				t.Fatalf("read: %v", err)
			}
			if diff := cmp.Diff("first run", got); diff != "" {
				t.Errorf("kept row (-want +got):\n%s", diff)
			}
			if srv.DataDir() != dataDir {
				t.Errorf("data dir moved from %s to %s", dataDir, srv.DataDir())
			}
		})
	}

	t.Run("not while another launcher uses it", func(t *testing.T) {
		srv := start(t, cfg)
		t.Cleanup(func() { srv.Stop() })

		_, err := Start(context.Background(), cfg)
		if err == nil || !strings.Contains(err.Error(), "in use") {
			t.Fatalf("start on a data dir in use: got error %v, want one saying it is in use", err)
		}
	})
}

func TestFailedStartShowsTheServerLog(t *testing.T) {
	cfg := Config{DataDir: filepath.Join(t.TempDir(), "pg", "data")}
	srv := start(t, cfg)
	if srv.DataDir() != cfg.DataDir {
		// Running as root, the postgres user could not enter t.TempDir().
		t.Cleanup(func() { os.RemoveAll(filepath.Dir(srv.DataDir())) })
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	conf, err := os.OpenFile(filepath.Join(srv.DataDir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conf.WriteString("\nno_such_setting = on\n"); err != nil {
		t.Fatal(err)
	}
	conf.Close()

	_, err = Start(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "no_such_setting") {
		t.Fatalf("start with a broken postgresql.conf: got error %v, want one quoting the server's log", err)
	}
}

func TestTakenPortIsRefusedBeforeAnythingAnswersOnIt(t *testing.T) {
	// A plain listener, and a cluster with the same login as ours: one
	// that Start must not mistake for the server it started.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	other := start(t, Config{})
	t.Cleanup(func() { other.Stop() })

	for _, port := range []int{l.Addr().(*net.TCPAddr).Port, other.Port()} {
		t.Run(strconv.Itoa(port), func(t *testing.T) {
			srv, err := Start(context.Background(), Config{Port: port})
			if err == nil {
				srv.Stop()
				t.Fatalf("start on taken port %d succeeded", port)
			}
			if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(port)) {
				t.Errorf("got error %v, want ErrPortInUse naming the address", err)
			}
		})
	}
}

func TestMissingBinariesSayWhatToInstall(t *testing.T) {
	_, err := Start(context.Background(), Config{candidates: func() []string { return []string{t.TempDir()} }})
	if !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("got error %v, want ErrNotInstalled", err)
	}
	for _, hint := range []string{"apt-get install postgresql", "brew install postgresql", "SALES_TEST_DB_URL", "SALES_DB_HOST"} {
		if !strings.Contains(err.Error(), hint) {
			t.Errorf("error does not mention %q:\n%v", hint, err)
		}
	}
}

func TestFindBinDirPrefersNewestCompleteInstall(t *testing.T) {
	tests := []struct {
		name string
		dirs map[string][]string // version folder -> binaries in its bin
		want string              // version folder chosen; "" for none
	}{
		{
			name: "versions compare as numbers",
			dirs: map[string][]string{"9.6": binaries, "10": binaries, "16": binaries},
			want: "16",
		},
		{
			name: "an install missing a binary is skipped",
			dirs: map[string][]string{"10": binaries, "17": {"initdb", "pg_ctl"}},
			want: "10",
		},
		{
			name: "no complete install",
			dirs: map[string][]string{"15": {"postgres"}},
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for v, bins := range tt.dirs {
				bin := filepath.Join(root, v, "bin")
				if err := os.MkdirAll(bin, 0o755); err != nil {
					t.Fatal(err)
				}
				for _, b := range bins {
					if err := os.WriteFile(filepath.Join(bin, b), []byte("#!/bin/sh\n"), 0o755); err != nil {
						t.Fatal(err)
					}
				}
			}

			got, err := findBinDir(newestFirst(filepath.Join(root, "*", "bin")))
			want := ""
			if tt.want != "" {
				want = filepath.Join(root, tt.want, "bin")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("bin dir (-want +got):\n%s", diff)
			}
			if (err != nil) != (tt.want == "") {
				t.Errorf("error %v, want one only when nothing is found", err)
			}
		})
	}
}

// deadPID returns the PID of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatalf("run true: %v", err)
	}
	return cmd.Process.Pid
}

func writePID(t *testing.T, file string, pid int) {
	t.Helper()
	if err := os.WriteFile(file, []byte(strconv.Itoa(pid)+"\n"), 0o600); err != nil {
		t.Fatalf("write %s: %v", file, err)
	}
}
