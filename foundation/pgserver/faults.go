package pgserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// The methods below break a running server on purpose, for fault tests of
// the programs that use it. They act only on the processes this Server
// started, found by the postmaster's pid.

// PIDs returns the pids of the server's processes: the postmaster first,
// then its children (every backend and helper), read from /proc.
func (s *Server) PIDs() ([]int, error) {
	pid := s.cmd.Process.Pid
	pids := []int{pid}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if parentOf(child) == pid {
			pids = append(pids, child)
		}
	}
	return pids, nil
}

// parentOf returns the parent pid of pid from /proc/PID/stat, 0 if gone.
func parentOf(pid int) int {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses,
	// so read after the last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

// Freeze stops every process of the server with SIGSTOP: its sockets stay
// open and nothing answers, as with a hung host or a network partition.
// The postmaster is stopped first, so it starts no new backend meanwhile.
func (s *Server) Freeze() error {
	if err := syscall.Kill(s.cmd.Process.Pid, syscall.SIGSTOP); err != nil {
		return fmt.Errorf("freeze postmaster: %w", err)
	}
	return s.signalChildren(syscall.SIGSTOP)
}

// Thaw resumes a frozen server with SIGCONT, its children first.
func (s *Server) Thaw() error {
	if err := s.signalChildren(syscall.SIGCONT); err != nil {
		return err
	}
	if err := syscall.Kill(s.cmd.Process.Pid, syscall.SIGCONT); err != nil {
		return fmt.Errorf("thaw postmaster: %w", err)
	}
	return nil
}

func (s *Server) signalChildren(sig syscall.Signal) error {
	pids, err := s.PIDs()
	if err != nil {
		return err
	}
	var errs []error
	for _, pid := range pids[1:] {
		if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("signal %d: %w", pid, err))
		}
	}
	return errors.Join(errs...)
}

// Halt shuts the server down (fast: open sessions are cut) but keeps its
// cluster and port, so Resume can start it again: a database restart as
// clients see it.
func (s *Server) Halt() error {
	select {
	case <-s.exited:
		return errors.New("postgres is not running")
	default:
	}
	return s.shutdown()
}

// Resume starts a halted server again, on the same port.
func (s *Server) Resume(ctx context.Context) error {
	select {
	case <-s.exited:
	default:
		return errors.New("postgres is running")
	}
	return s.startProcess(ctx)
}
