package main

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/garagesale/service/tools/fleet/supervisor"
)

// TestCommandsSeeAGoneSupervisor: when the supervisor died and its
// instances still run (and hold the fleet's ports), every command that
// needs it says so and fails, rather than saying no fleet runs (which
// sends the engineer to an up that fails on the ports).
func TestCommandsSeeAGoneSupervisor(t *testing.T) {
	dir := t.TempDir()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	left := exec.Command("sleep", "60")
	if err := left.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { left.Process.Kill(); left.Wait() })

	st := supervisor.State{PID: gone.Process.Pid, Addr: "127.0.0.1:1", Token: "x",
		Processes: []supervisor.ProcessRef{{Instance: "api.1", PID: left.Process.Pid}}}
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".fleet"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".fleet", supervisor.StateName), data, 0o600); err != nil {
		t.Fatal(err)
	}

	want := "processes of a fleet whose supervisor is gone still run (api.1 pid " + strconv.Itoa(left.Process.Pid) + "): fleet down stops them"
	for _, args := range [][]string{{"ps"}, {"restart", "api"}, {"scale", "api=2"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, errOut, code := fleetCommand(t, dir, args...)
			if code == 0 || !strings.Contains(errOut, want) {
				t.Errorf("exit status %d, stderr %q; want a failure saying %q", code, errOut, want)
			}
		})
	}

	// A supervisor alive that does not answer (here a listener that hangs
	// up) is not gone: fleet down would leave it running.
	mute := exec.Command("sleep", "60")
	if err := mute.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mute.Process.Kill(); mute.Wait() })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	st.PID, st.Addr = mute.Process.Pid, l.Addr().String()
	if data, err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".fleet", supervisor.StateName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	want = "the fleet's supervisor (pid " + strconv.Itoa(mute.Process.Pid) + ") runs but does not answer at " + st.Addr
	if _, errOut, code := fleetCommand(t, dir, "ps"); code == 0 || !strings.Contains(errOut, want) {
		t.Errorf("ps: exit status %d, stderr %q; want a failure saying %q", code, errOut, want)
	}

	// Its pid taken by another program after a reboot, with nothing at its
	// address: gone, as before.
	l.Close()
	if data, err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".fleet", supervisor.StateName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, _ := fleetCommand(t, dir, "ps"); !strings.Contains(errOut, "whose supervisor is gone") {
		t.Errorf("ps with the supervisor's pid another program's: stderr %q, want it gone", errOut)
	}
}
