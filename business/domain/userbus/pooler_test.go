package userbus_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/domain/userbus/stores/userdb"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/foundation/logger"
	"github.com/jackc/pgx/v5"
)

// TestCacheRefusesATransactionPooler: a listener behind a real PgBouncer in
// transaction pooling is connected, LISTENs without an error, and never
// hears a notification. The cache never serves, and AwaitLive, which the
// API runs at startup, says why instead of starting.
func TestCacheRefusesATransactionPooler(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		bin = "/usr/sbin/pgbouncer"
		if _, serr := os.Stat(bin); serr != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("pgbouncer is missing: .ci/run installs the pgbouncer package")
			}
			t.Skip("pgbouncer is missing: apt-get install pgbouncer to run this test")
		}
	}
	db := dbtest.New(t, t.Name())
	addr := startPgBouncer(t, bin, db.URL)

	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cache := userbus.NewCache(100, db.DB, userdb.Store{})
	go userdb.Listen(ctx, cfg, cache, logger.Discard().Warn)

	err = cache.AwaitLive(ctx, userbus.CacheReconnectAfter)
	if !errors.Is(err, userbus.ErrNoDelivery) {
		t.Fatalf("AwaitLive behind PgBouncer in transaction pooling: %v, want ErrNoDelivery", err)
	}
	if cache.Live() {
		t.Error("the cache serves although its listener hears nothing")
	}
}

// startPgBouncer runs PgBouncer in transaction pooling in front of the
// server of dbURL, as the postgres user when we are root (it refuses
// root), and returns its address.
func startPgBouncer(t *testing.T, bin, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(u.Host)
	pass, _ := u.User.Password()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	dir, err := os.MkdirTemp("", "garagesale-pgbouncer-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%s user=%s password=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = any
pool_mode = transaction
ignore_startup_parameters = extra_float_digits
`, host, port, u.User.Username(), pass, listen)
	path := filepath.Join(dir, "pgbouncer.ini")
	if err := os.WriteFile(path, []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, path)
	out, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root with no postgres user for PgBouncer")
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		_ = os.Chmod(dir, 0o755)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}}
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	addr := fmt.Sprintf("127.0.0.1:%d", listen)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Fatalf("pgbouncer did not listen on %s: %s", addr, log)
		}
	}
}
