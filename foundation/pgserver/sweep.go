package pgserver

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// throwawayPrefix starts the name of a throwaway cluster's folder in the
// temp dir, and of a stand-in's (substituteDir), which sweep tells apart.
const throwawayPrefix = "garagesale-pg-"

// recordOwner writes this process's ID into a throwaway cluster's folder,
// before anything else goes in: a sweep keeps the folder while the process
// lives. The file appears whole (renamed into place), so a sweep never
// reads a half-written one.
func recordOwner(base string) error {
	tmp := filepath.Join(base, ownerFile+".tmp")
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return fmt.Errorf("record owner of %s: %w", base, err)
	}
	if err := os.Rename(tmp, filepath.Join(base, ownerFile)); err != nil {
		return fmt.Errorf("record owner of %s: %w", base, err)
	}
	return nil
}

// standInFile names, in a stand-in's folder (substituteDir), the file that
// holds the data dir it stands in for.
const standInFile = "stands-in-for"

// recordStandIn writes into a stand-in's folder base the data dir it
// stands in for: a sweep removes the stand-in once that data dir's folder
// is gone, as the data would have gone with it (a test's temp dir; a
// checkout's .data removed to start afresh).
func recordStandIn(base, requested string) error {
	if err := os.WriteFile(filepath.Join(base, standInFile), []byte(requested+"\n"), 0o644); err != nil {
		return fmt.Errorf("record what %s stands in for: %w", base, err)
	}
	return nil
}

// sweep removes what processes that are gone left under root (about 40 MB
// each): the throwaway clusters of a test binary killed with kill -9,
// whose postgres, in a session of its own, goes on running, and the
// stand-ins for data dirs whose folder is gone. Failures are logged, not
// returned: they must not stop a start.
func sweep(root string, log func(msg string, args ...any)) {
	bases, err := filepath.Glob(filepath.Join(root, throwawayPrefix+"*"))
	if err != nil {
		return
	}
	for _, base := range bases {
		why, postmaster := abandoned(base)
		if why == "" {
			continue
		}
		if postmaster != 0 {
			if err := stopOrphan(postmaster); err != nil {
				log("cannot stop the postgres of a cluster left behind", "folder", base, "error", err)
				continue
			}
		}
		if err := os.RemoveAll(base); err != nil {
			log("cannot remove a cluster folder left behind", "folder", base, "error", err)
			continue
		}
		log("removed a cluster folder left behind", "folder", base, "why", why)
	}
}

// abandoned says why the cluster's folder base is left behind, or ""
// when it is in use or may be: a folder that records no owner is kept,
// since nothing says whether its maker still runs. postmaster is the PID
// of a postgres still running in it, to stop first.
func abandoned(base string) (why string, postmaster int) {
	if requested, err := os.ReadFile(filepath.Join(base, standInFile)); err == nil {
		return standInGone(base, strings.TrimSpace(string(requested)))
	}
	ownerPath := filepath.Join(base, ownerFile)
	if _, err := os.Stat(ownerPath); err != nil {
		return "", 0
	}
	owner := readPID(ownerPath)
	if alive(owner) {
		return "", 0
	}
	if pid := readPID(filepath.Join(base, "data", "postmaster.pid")); isPostgres(pid) {
		return fmt.Sprintf("the process that started it (pid %d) is gone; its postgres (pid %d) was still running", owner, pid), pid
	}
	return fmt.Sprintf("the process that started it (pid %d) is gone", owner), 0
}

// standInGone says why the stand-in at base for the data dir requested is
// left behind: the folder requested was in is gone, and no postgres runs
// in it. A stand-in whose folder is there, or cannot be looked at, is
// kept: it holds the data of a persistent cluster.
func standInGone(base, requested string) (why string, postmaster int) {
	if _, err := os.Stat(filepath.Dir(requested)); !errors.Is(err, fs.ErrNotExist) {
		return "", 0
	}
	if isPostgres(readPID(filepath.Join(base, "data", "postmaster.pid"))) {
		return "", 0
	}
	return fmt.Sprintf("it stood in for %s, whose folder is gone", requested), 0
}

// stopOrphan ends a postgres nobody owns: an immediate shutdown (its data
// is thrown away), then SIGKILL if that hangs.
func stopOrphan(pid int) error {
	for _, step := range []struct {
		sig  syscall.Signal
		wait time.Duration
	}{{syscall.SIGQUIT, 10 * time.Second}, {syscall.SIGKILL, 5 * time.Second}} {
		if err := syscall.Kill(pid, step.sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("signal postgres (pid %d): %w", pid, err)
		}
		for deadline := time.Now().Add(step.wait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if !isPostgres(pid) {
				return nil
			}
		}
	}
	return fmt.Errorf("postgres (pid %d) did not exit", pid)
}
