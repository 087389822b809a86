package pgserver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// runAs is the account the server programs run under. When we are not root
// it is nil: the programs run as us.
type runAs struct {
	uid, gid uint32
}

// serverAccount returns the account to run initdb, pg_ctl and postgres as:
// they refuse to run as root, so root hands them to the postgres user.
func serverAccount() (*runAs, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, PostgreSQL must run as another user and there is no \"postgres\" user (create one with useradd --system postgres, or run as a normal user): %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("uid %q of user postgres: %w", u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("gid %q of user postgres: %w", u.Gid, err)
	}
	return &runAs{uid: uint32(uid), gid: uint32(gid)}, nil
}

// attr returns the process attributes of a server program: a session of
// its own, so that a Ctrl-C in the terminal reaches only its owner, and the
// postgres user's credentials when we are root.
func (a *runAs) attr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setsid: true}
	if a != nil {
		// An empty group list drops root's supplementary groups.
		attr.Credential = &syscall.Credential{Uid: a.uid, Gid: a.gid, Groups: []uint32{}}
	}
	return attr
}

// own gives path to the server's account, so it can use what we created.
func (a *runAs) own(path string) error {
	if a == nil {
		return nil
	}
	if err := os.Chown(path, int(a.uid), int(a.gid)); err != nil {
		return fmt.Errorf("give %s to the postgres user: %w", path, err)
	}
	return nil
}

// canReach reports whether the server's account can enter dir: it needs
// search permission on dir and every directory above it. A mode-700 home
// such as /root fails this.
func (a *runAs) canReach(dir string) bool {
	if a == nil {
		return true
	}
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return false
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return false
		}
		perm := fi.Mode().Perm()
		switch {
		case st.Uid == a.uid && perm&0o100 != 0:
		case st.Gid == a.gid && perm&0o010 != 0:
		case perm&0o001 != 0:
		default:
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

// tempRoot is where the server's own folders go: the system temp dir, or
// /tmp when TMPDIR points somewhere the server's account cannot enter.
func (a *runAs) tempRoot() string {
	if dir := os.TempDir(); a.canReach(dir) {
		return dir
	}
	return "/tmp"
}

// substituteDir is the stable stand-in, under the temp dir, for a data
// directory the server's account cannot reach: the same requested path
// always maps to the same folder, so its data survives restarts (though
// not a reboot that clears the temp dir).
func (a *runAs) substituteDir(requested string) string {
	sum := sha256.Sum256([]byte(requested))
	return filepath.Join(a.tempRoot(), throwawayPrefix+hex.EncodeToString(sum[:])[:12], "data")
}

// ownerFile names, inside a persistent data directory, the file that holds
// the process ID of the program that started the server, so a later start
// can tell a server still in use from one left behind by a crash.
const ownerFile = "garagesale-owner.pid"

// readPID returns the number on the first line of file, or 0.
func readPID(file string) int {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return 0
	}
	// A server in single-user mode writes its PID negated.
	if pid < 0 {
		pid = -pid
	}
	return pid
}

func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	// A killed process stays a zombie until reaped, and in a container
	// whose PID 1 does not reap, that may be forever.
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			return false
		}
	}
	return true
}

// isPostgres reports whether the live process pid is a postgres server.
// After a reboot or in a fresh container a stale postmaster.pid often names
// a PID that now belongs to something else, which we must neither signal
// nor mistake for a running server.
func isPostgres(pid int) bool {
	if !alive(pid) {
		return false
	}
	if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err == nil {
		return strings.TrimSpace(string(comm)) == "postgres"
	}
	out, err := exec.Command("ps", "-o", "comm=", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		// Without /proc or ps we cannot tell; assume the worst, a live server.
		return true
	}
	return strings.Contains(string(out), "postgres")
}
