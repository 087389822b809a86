package supervisor

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// StateName is the state file in the state folder: the supervisor's pid
// and address, and the process of every instance, so that a second fleet
// command finds the running fleet, and down can stop what a supervisor
// that died left behind.
const StateName = "state.json"

// State is what the state file holds.
type State struct {
	PID  int    `json:"pid"`
	Addr string `json:"addr"`
	// Token is what the control API asks of every request; the file is
	// readable by its owner only.
	Token     string       `json:"token"`
	Processes []ProcessRef `json:"processes"`
}

// ProcessRef is the process (and process group) of one instance.
type ProcessRef struct {
	Instance string `json:"instance"`
	PID      int    `json:"pid"`
}

// ReadState reads the state file in dir; a missing file is a zero State.
func ReadState(dir string) (State, error) {
	var st State
	data, err := os.ReadFile(filepath.Join(dir, StateName))
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read the fleet state: %w", err)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, fmt.Errorf("read the fleet state %s: %w", filepath.Join(dir, StateName), err)
	}
	return st, nil
}

// Alive reports whether a process with the pid exists.
func Alive(pid int) bool {
	return pid > 0 && syscall.Kill(pid, 0) == nil
}

// writeState records the supervisor and its live processes; it is
// written to a temporary file and renamed, so a reader never sees half.
func (s *Supervisor) writeState() {
	s.mu.Lock()
	st := State{PID: os.Getpid(), Addr: s.ctlAddr, Token: s.ctlToken}
	for _, spec := range s.file.Services {
		for _, in := range s.services[spec.Name].instances {
			if in.alive {
				st.Processes = append(st.Processes, ProcessRef{Instance: in.Name(), PID: in.pid})
			}
		}
	}
	s.mu.Unlock()
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return
	}
	path := filepath.Join(s.dir, StateName)
	// Removed first: WriteFile keeps the mode of a file that exists.
	_ = os.Remove(path + ".tmp")
	if err := os.WriteFile(path+".tmp", data, 0o600); err != nil {
		s.log.Fleet("write the state: %v", err)
		return
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		s.log.Fleet("write the state: %v", err)
	}
}

// RemoveState deletes the state file once the fleet is down.
func RemoveState(dir string) error {
	err := os.Remove(filepath.Join(dir, StateName))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
