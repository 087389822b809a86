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
// temp dir. The stand-ins for unreachable data dirs share it
// (substituteDir) and hold data that is kept while the data dir they
// stand in for may be used: sweep tells them apart.
const throwawayPrefix = "garagesale-pg-"

// staleAfter is how long a throwaway cluster's folder from before owner
// records must have been left as it is, with no postgres running in it,
// for sweep to take it for left behind: nothing says whether the process
// that made it still runs, and a fault test stops and starts its postgres
// again within seconds.
const staleAfter = 5 * time.Minute

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

// sweep removes the throwaway clusters under root that processes which
// are gone left behind (about 40 MB each): a test binary killed with
// kill -9 never runs Stop, and its postgres, in a session of its own,
// goes on running. A folder whose owner lives is in use and kept, and so
// is every folder sweep cannot tell is a throwaway cluster's. It removes
// too the stand-ins for data dirs whose folder is gone (a test's data dir
// in a temp dir the postgres user cannot enter, as root). Failures are
// logged, not returned: they must not stop a start.
func sweep(root string, log func(msg string, args ...any)) {
	bases, err := filepath.Glob(filepath.Join(root, throwawayPrefix+"*"))
	if err != nil {
		return
	}
	for _, base := range bases {
		why, postmaster := abandoned(base, time.Now())
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
// when it is in use or may be. postmaster is the PID of a postgres still
// running in it, to stop first.
func abandoned(base string, now time.Time) (why string, postmaster int) {
	if requested, err := os.ReadFile(filepath.Join(base, standInFile)); err == nil {
		return standInGone(base, strings.TrimSpace(string(requested)))
	}
	ownerPath := filepath.Join(base, ownerFile)
	_, err := os.Stat(ownerPath)
	recorded := err == nil
	// Before owner records, a throwaway cluster's folder was told by its
	// server log beside the data (a stand-in keeps its log inside).
	_, err = os.Stat(filepath.Join(base, "postgres.log"))
	older := !recorded && err == nil
	if !recorded && !older {
		return "", 0
	}
	owner := readPID(ownerPath)
	if recorded && alive(owner) {
		return "", 0
	}
	pid := readPID(filepath.Join(base, "data", "postmaster.pid"))
	switch {
	case isPostgres(pid) && older:
		// Nothing says who uses it.
		return "", 0
	case isPostgres(pid):
		return fmt.Sprintf("the process that started it (pid %d) is gone; its postgres (pid %d) was still running", owner, pid), pid
	case recorded:
		return fmt.Sprintf("the process that started it (pid %d) is gone", owner), 0
	}
	quiet := now.Sub(lastChange(base))
	if quiet < staleAfter {
		return "", 0
	}
	return fmt.Sprintf("no postgres runs in it and nothing changed in it for %s", quiet.Round(time.Minute)), 0
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

// lastChange is when the cluster's folder last changed as far as a sweep
// can tell cheaply: a file added to or removed from it or its data folder
// (postmaster.pid comes and goes with the server), or a line logged.
func lastChange(base string) time.Time {
	var last time.Time
	for _, p := range []string{base, filepath.Join(base, "data"), filepath.Join(base, "postgres.log")} {
		if info, err := os.Stat(p); err == nil && info.ModTime().After(last) {
			last = info.ModTime()
		}
	}
	return last
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
