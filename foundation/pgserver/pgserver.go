// Package pgserver starts and stops a local PostgreSQL cluster from the
// server binaries installed on the machine, so that development and tests
// need no Docker.
//
// The cluster listens only on 127.0.0.1 and has no unix socket, so its
// folders may live anywhere and /var/run/postgresql need not exist. It uses
// password (scram-sha-256) authentication: the port is open to every user
// of the machine, and the password keeps them out while making clients use
// the same login path as in production.
//
// Postgres refuses to run as root, so as root the programs run as the
// postgres user, and the cluster's folders are kept where that user can
// reach them.
package pgserver

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Config says what cluster to start. The zero value is a throwaway cluster
// on a free port.
type Config struct {
	// DataDir is the cluster's data directory. Empty means a throwaway
	// cluster in a temp dir that Stop removes (or, when its process dies
	// without stopping it, the next Start on the machine). A directory that already
	// holds a cluster is reused, so its data survives restarts; otherwise
	// it is initialised.
	DataDir string

	// Port is the TCP port on 127.0.0.1; 0 picks a free one. Start fails
	// with ErrPortInUse when a port given here is taken.
	Port int

	// User and Password are the superuser's, set when the cluster is
	// initialised; they default to "postgres" and "postgres".
	User     string
	Password string

	// Log, when set, receives a line for each notable step.
	Log func(msg string, args ...any)

	// candidates lists the directories to search for the binaries; nil
	// means searchDirs. Tests replace it.
	candidates func() []string
}

// Server is a running cluster. Stop it when done.
type Server struct {
	cfg       Config
	throwaway bool
	binDir    string
	dataDir   string
	baseDir   string // a throwaway cluster's own folder, removed by Stop
	logPath   string
	port      int
	account   *runAs

	cmd     *exec.Cmd
	exited  chan struct{} // closed when the postgres process has exited
	waitErr error         // its exit status, readable once exited is closed

	stopOnce sync.Once
	stopErr  error
}

// ErrPortInUse is the error, wrapped with the address, that Start returns
// when the port asked for in Config is taken.
var ErrPortInUse = errors.New("port already in use")

// ErrDataDirInUse is the error, wrapped with the folder and the
// processes, that Start returns when a postgres another live launcher
// started runs on the data folder.
var ErrDataDirInUse = errors.New("data dir in use")

// startTimeout bounds how long a cluster may take to accept connections.
const startTimeout = 30 * time.Second

// Start initialises the cluster if needed, starts it and returns once it
// answers queries. When the binaries are missing the error wraps
// ErrNotInstalled and says what to install.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg.User = cmp.Or(cfg.User, "postgres")
	cfg.Password = cmp.Or(cfg.Password, "postgres")
	if cfg.Log == nil {
		cfg.Log = func(string, ...any) {}
	}
	candidates := cfg.candidates
	if candidates == nil {
		candidates = searchDirs
	}

	binDir, err := findBinDir(candidates())
	if err != nil {
		return nil, err
	}
	account, err := serverAccount()
	if err != nil {
		return nil, err
	}

	sweep(account.tempRoot(), cfg.Log)

	// A port given that is taken is said before anything is made: a data
	// folder, a stand-in for it or an initdb would be left for nothing.
	if cfg.Port != 0 {
		if err := portFree(cfg.Port); err != nil {
			return nil, err
		}
	}

	s := &Server{cfg: cfg, throwaway: cfg.DataDir == "", binDir: binDir, account: account}
	if err := s.prepareDirs(); err != nil {
		s.removeBase()
		return nil, err
	}
	if err := s.initOrReuse(ctx); err != nil {
		s.removeBase()
		return nil, err
	}
	if err := s.launch(ctx); err != nil {
		s.removeBase()
		return nil, err
	}
	if !s.throwaway {
		if err := os.WriteFile(filepath.Join(s.dataDir, ownerFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
			return nil, errors.Join(fmt.Errorf("record owner of %s: %w", s.dataDir, err), s.Stop())
		}
	}
	cfg.Log("postgres started", "host", s.Host(), "data", s.dataDir, "bin", binDir)
	return s, nil
}

// prepareDirs decides where the data and log live and creates the folders
// the server's account needs.
func (s *Server) prepareDirs() error {
	if s.throwaway {
		base, err := os.MkdirTemp(s.account.tempRoot(), throwawayPrefix)
		if err != nil {
			return fmt.Errorf("create cluster folder: %w", err)
		}
		s.baseDir = base
		if err := recordOwner(base); err != nil {
			return err
		}
		s.dataDir = filepath.Join(base, "data")
		s.logPath = filepath.Join(base, "postgres.log")
		return s.account.own(base)
	}

	dataDir, err := filepath.Abs(s.cfg.DataDir)
	if err != nil {
		return fmt.Errorf("data dir %s: %w", s.cfg.DataDir, err)
	}
	if err := os.MkdirAll(filepath.Dir(dataDir), 0o755); err != nil {
		return fmt.Errorf("create parent of data dir: %w", err)
	}
	if !s.account.canReach(filepath.Dir(dataDir)) {
		sub := s.account.substituteDir(dataDir)
		s.cfg.Log("the postgres user cannot reach the data dir; using a stand-in under the temp dir", "requested", dataDir, "using", sub)
		if err := os.MkdirAll(filepath.Dir(sub), 0o755); err != nil {
			return fmt.Errorf("create stand-in data dir: %w", err)
		}
		if err := s.account.own(filepath.Dir(sub)); err != nil {
			return err
		}
		if err := recordStandIn(filepath.Dir(sub), dataDir); err != nil {
			return err
		}
		dataDir = sub
	}
	s.dataDir = dataDir
	s.logPath = filepath.Join(dataDir, "postgres.log")
	return nil
}

// initOrReuse makes s.dataDir hold a cluster that can start: it reuses an
// initialised one, clearing what a crash left behind, or runs initdb.
func (s *Server) initOrReuse(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(s.dataDir, "PG_VERSION")); err == nil {
		s.cfg.Log("reusing cluster", "data", s.dataDir)
		return s.clearLeftovers(ctx)
	}

	if err := os.MkdirAll(s.dataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	if err := s.account.own(s.dataDir); err != nil {
		return err
	}

	// initdb reads the password from a file so it never shows in ps. The
	// data dir's parent is one the server's account can reach.
	pwFile := filepath.Join(filepath.Dir(s.dataDir), ".pwfile-"+strconv.Itoa(os.Getpid()))
	if err := os.WriteFile(pwFile, []byte(s.cfg.Password+"\n"), 0o600); err != nil {
		return fmt.Errorf("write password file: %w", err)
	}
	defer os.Remove(pwFile)
	if err := s.account.own(pwFile); err != nil {
		return err
	}

	args := []string{
		"-D", s.dataDir,
		"-U", s.cfg.User,
		"--pwfile", pwFile,
		"--auth=scram-sha-256",
		"-E", "UTF8",
		// Text sorts by code point, as C does (and as the Alpine image's
		// Postgres does: musl collates so), and messages stay C's, but
		// upper and lower case are Unicode's: ILIKE and lower() fold É to
		// é, as they do in the deployed database. Under C alone they
		// folded ASCII only.
		"--locale=C",
		"--lc-ctype=" + unicodeCtype(),
	}
	if s.throwaway {
		args = append(args, "--no-sync")
	}
	s.cfg.Log("initialising cluster", "data", s.dataDir)
	if out, err := s.command(ctx, "initdb", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("initdb %s: %w\n%s", s.dataDir, err, out)
	}
	return nil
}

// clearLeftovers deals with the postmaster.pid of a reused cluster. A file
// naming no live postgres is stale (a crash or reboot) and is removed. A
// live postgres whose owner has exited was left running by a launcher that
// crashed: it is stopped so it does not block this start. A postgres whose
// owner still runs is in use, and that is an error.
func (s *Server) clearLeftovers(ctx context.Context) error {
	pidFile := filepath.Join(s.dataDir, "postmaster.pid")
	pid := readPID(pidFile)
	if pid == 0 {
		return nil
	}
	if !isPostgres(pid) {
		s.cfg.Log("removing stale postmaster.pid", "pid", pid)
		if err := os.Remove(pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove stale %s: %w", pidFile, err)
		}
		return nil
	}

	if owner := readPID(filepath.Join(s.dataDir, ownerFile)); alive(owner) {
		return fmt.Errorf("%w: %s, by postgres (pid %d) started by process %d: stop that first", ErrDataDirInUse, s.dataDir, pid, owner)
	}
	s.cfg.Log("stopping postgres left running by a launcher that exited", "pid", pid)
	out, err := s.command(ctx, "pg_ctl", "stop", "-D", s.dataDir, "-m", "fast", "-w", "-t", "60").CombinedOutput()
	if err != nil {
		return fmt.Errorf("stop leftover postgres (pid %d) in %s: %w\n%s", pid, s.dataDir, err, out)
	}
	return nil
}

// launch starts postgres and waits until it answers. A port we picked
// ourselves may be taken by someone else before postgres binds it; then we
// pick another.
func (s *Server) launch(ctx context.Context) error {
	if s.cfg.Port != 0 {
		if err := portFree(s.cfg.Port); err != nil {
			return err
		}
	}
	const attempts = 3
	for attempt := 1; ; attempt++ {
		s.port = s.cfg.Port
		if s.port == 0 {
			port, err := freePort()
			if err != nil {
				return err
			}
			s.port = port
		}
		err := s.startProcess(ctx)
		if err == nil {
			return nil
		}
		inUse := strings.Contains(err.Error(), "already in use")
		if inUse && s.cfg.Port != 0 {
			return fmt.Errorf("%w: 127.0.0.1:%d: %w", ErrPortInUse, s.port, err)
		}
		if s.cfg.Port != 0 || attempt == attempts || !inUse {
			return err
		}
		s.cfg.Log("port taken, trying another", "port", s.port)
	}
}

func (s *Server) startProcess(ctx context.Context) error {
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open server log: %w", err)
	}
	defer logFile.Close()
	if err := s.account.own(s.logPath); err != nil {
		return err
	}
	logStart, err := logFile.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("seek server log: %w", err)
	}

	args := []string{
		"-D", s.dataDir,
		"-p", strconv.Itoa(s.port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=",
		// The data is on SSD or in the kernel's cache: a page read out of
		// order costs about what one read in order does. At the default
		// of 4 the planner counts a list's capped matches by reading the
		// table in order, and Postgres reads a table larger than a
		// quarter of shared_buffers through a small ring of buffers, so
		// every request read those pages from the kernel again; at 1.1
		// it reads the filter's index, whose pages stay in shared_buffers.
		"-c", "random_page_cost=1.1",
	}
	if s.throwaway {
		// Tests throw the data away, so durability buys nothing; and every
		// test package's pool connects at once.
		args = append(args,
			"-c", "fsync=off",
			"-c", "synchronous_commit=off",
			"-c", "full_page_writes=off",
			"-c", "max_connections=300",
		)
	}
	// Not CommandContext: ctx bounds the start, not the server's life.
	cmd := exec.Command(filepath.Join(s.binDir, "postgres"), args...)
	cmd.Dir = s.dataDir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = s.account.attr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	s.cmd = cmd
	s.exited = make(chan struct{})
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()

	if err := s.waitReady(ctx); err != nil {
		s.kill()
		return fmt.Errorf("%w\npostgres log (%s):\n%s", err, s.logPath, s.logTail(logStart))
	}
	return nil
}

// waitReady returns once the server answers a query.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()

	var lastErr error
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("postgres exited during startup: %v", s.waitErr)
		default:
		}

		err := ping(ctx, s.URL("postgres"))
		if err == nil {
			return nil
		}
		// A wrong password or user will not fix itself; a persistent data
		// dir keeps the credentials it was initialised with.
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "28") {
			return fmt.Errorf("log in as %q (the data dir keeps the user and password it was created with): %w", s.cfg.User, err)
		}
		lastErr = err

		select {
		case <-ctx.Done():
			return fmt.Errorf("postgres not ready: %w (last attempt: %v)", ctx.Err(), lastErr)
		case <-s.exited:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func ping(ctx context.Context, dsn string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var one int
	return conn.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// logTail returns the end of what the server logged since offset.
func (s *Server) logTail(offset int64) string {
	const max = 4 << 10
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read: %v)", err)
	}
	if offset <= int64(len(b)) {
		b = b[offset:]
	}
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(bytes.TrimSpace(b))
}

// command returns the server program name run as the server's account.
func (s *Server) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(s.binDir, name), args...)
	// The server's account may not be able to enter our working directory.
	cmd.Dir = filepath.Dir(s.dataDir)
	cmd.SysProcAttr = s.account.attr()
	return cmd
}

// portFree returns an error wrapping ErrPortInUse when something listens
// on 127.0.0.1:port. Postgres would fail to bind it too, but by then
// waitReady may have had its answer from whatever listens there: another
// cluster with the same login would pass for ours.
func portFree(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w: 127.0.0.1:%d", ErrPortInUse, port)
	}
	if err != nil {
		return fmt.Errorf("check port %d: %w", port, err)
	}
	return l.Close()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Stop shuts the server down (fast: open sessions are disconnected), waits
// for it to exit and removes a throwaway cluster's files. It is safe to
// call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.stopErr = s.stop()
	})
	return s.stopErr
}

func (s *Server) stop() error {
	var errs []error
	select {
	case <-s.exited:
		if s.waitErr != nil {
			errs = append(errs, fmt.Errorf("postgres had already exited: %w", s.waitErr))
		}
	default:
		if err := s.shutdown(); err != nil {
			errs = append(errs, err)
		}
	}
	if !s.throwaway {
		if err := os.Remove(filepath.Join(s.dataDir, ownerFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove owner file: %w", err))
		}
	}
	if err := s.removeBase(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// shutdown asks postgres for a fast shutdown, and escalates if it hangs.
func (s *Server) shutdown() error {
	steps := []struct {
		sig  syscall.Signal
		wait time.Duration
	}{
		{syscall.SIGINT, 60 * time.Second},  // fast shutdown
		{syscall.SIGQUIT, 10 * time.Second}, // immediate shutdown
		{syscall.SIGKILL, 10 * time.Second},
	}
	for _, step := range steps {
		if err := s.cmd.Process.Signal(step.sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("signal postgres: %w", err)
		}
		select {
		case <-s.exited:
			if step.sig != syscall.SIGINT {
				return fmt.Errorf("postgres ignored a fast shutdown; sent %v", step.sig)
			}
			return nil
		case <-time.After(step.wait):
		}
	}
	return fmt.Errorf("postgres (pid %d) did not exit", s.cmd.Process.Pid)
}

// kill ends a server that failed to start.
func (s *Server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

func (s *Server) removeBase() error {
	if s.baseDir == "" {
		return nil
	}
	if err := os.RemoveAll(s.baseDir); err != nil {
		return fmt.Errorf("remove cluster folder: %w", err)
	}
	return nil
}

// Host returns the server's address as "127.0.0.1:PORT".
func (s *Server) Host() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// Port returns the server's TCP port.
func (s *Server) Port() int {
	return s.port
}

// User returns the superuser's name.
func (s *Server) User() string {
	return s.cfg.User
}

// Password returns the superuser's password.
func (s *Server) Password() string {
	return s.cfg.Password
}

// DataDir returns the data directory in use. It differs from the one
// asked for when, running as root, the postgres user could not reach that.
func (s *Server) DataDir() string {
	return s.dataDir
}

// URL returns a postgres:// URL to database dbName as the superuser.
func (s *Server) URL(dbName string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(s.cfg.User, s.cfg.Password),
		Host:     s.Host(),
		Path:     "/" + dbName,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// unicodeCtype is the C locale with Unicode's character classes: macOS
// has no C.UTF-8, and its UTF-8 is that.
func unicodeCtype() string {
	if runtime.GOOS == "darwin" {
		return "UTF-8"
	}
	return "C.UTF-8"
}
