package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/garagesale/service/tools/fleet/fleetfile"
	"github.com/garagesale/service/tools/fleet/supervisor"
)

// supervisorLog is where the supervisor process's own output (a panic)
// goes, in the state folder.
const supervisorLog = "supervisor.log"

func (o options) stateDir() string { return o.path(o.state) }

// path resolves a path given on the command line against the root.
func (o options) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(o.root, p)
}

// running returns a client of the fleet's supervisor, or ok false when
// none runs here.
func running(ctx context.Context, o options) (supervisor.Client, supervisor.State, bool, error) {
	st, err := supervisor.ReadState(o.stateDir())
	if err != nil {
		return supervisor.Client{}, st, false, err
	}
	if !supervisor.Alive(st.PID) || st.Addr == "" {
		return supervisor.Client{}, st, false, nil
	}
	c := supervisor.Client{Addr: st.Addr, Token: st.Token}
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var rows []supervisor.Row
	if err := c.Call(pingCtx, http.MethodGet, "/ps", nil, &rows); err != nil {
		return supervisor.Client{}, st, false, nil
	}
	return c, st, true, nil
}

// leftovers are the processes a supervisor that died left running.
func leftovers(st supervisor.State) []supervisor.ProcessRef {
	var alive []supervisor.ProcessRef
	for _, p := range st.Processes {
		if supervisor.Alive(p.PID) {
			alive = append(alive, p)
		}
	}
	return alive
}

func up(ctx context.Context, o options, args []string) error {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	watch := fs.Bool("watch", false, "rebuild, test and restart the services when their Go files change")
	names, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	f, err := fleetfile.Read(o.path(o.file))
	if err != nil {
		return err
	}
	if _, err := f.WithDeps(names); err != nil {
		return err
	}

	c, st, ok, err := running(ctx, o)
	if err != nil {
		return err
	}
	if !ok {
		if err := orphans(st); err != nil {
			return err
		}
		if c, err = startSupervisor(ctx, o); err != nil {
			return err
		}
	} else {
		fmt.Printf("the fleet already runs here (supervisor pid %d): starting what is not running\n", st.PID)
	}

	// The fleet's own lines show progress while up waits.
	logPath := filepath.Join(o.stateDir(), supervisor.LogName)
	from := fileSize(logPath)
	followCtx, stopFollow := context.WithCancel(ctx)
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		_ = follow(followCtx, logPath, from, os.Stdout, view{only: supervisor.FleetName, color: colorOut(), width: prefixWidth(f)})
	}()
	err = c.Call(ctx, http.MethodPost, "/up", supervisor.Request{Services: names, Watch: *watch}, nil)
	time.Sleep(300 * time.Millisecond) // the last lines
	stopFollow()
	<-followed
	if ctx.Err() != nil {
		return errors.New("interrupted: the fleet goes on starting in the background; fleet ps shows it, fleet down stops it")
	}
	if err != nil {
		var rows []supervisor.Row
		if c.Call(ctx, http.MethodGet, "/ps", nil, &rows) == nil && !slices.ContainsFunc(rows, func(r supervisor.Row) bool {
			return r.PID != 0 && r.Health != supervisor.Done && r.Health != supervisor.Failed
		}) {
			_ = c.Call(ctx, http.MethodPost, "/down", nil, nil)
		}
		return fmt.Errorf("up: %w", err)
	}
	fmt.Println()
	if err := ps(ctx, o, os.Stdout); err != nil {
		return err
	}
	fmt.Println("\nfleet logs -f follows the logs; fleet down stops everything.")
	return nil
}

// startSupervisor starts the supervisor in a session of its own, so that
// it outlives this command and the terminal, and waits for its address.
func startSupervisor(ctx context.Context, o options) (supervisor.Client, error) {
	dir := o.stateDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return supervisor.Client{}, fmt.Errorf("create the state folder: %w", err)
	}
	if err := supervisor.RemoveState(dir); err != nil {
		return supervisor.Client{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return supervisor.Client{}, err
	}
	out, err := os.OpenFile(filepath.Join(dir, supervisorLog), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return supervisor.Client{}, err
	}
	defer out.Close()
	cmd := exec.Command(self, "--file", o.file, "--state", o.state, "supervise")
	cmd.Dir = o.root
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return supervisor.Client{}, fmt.Errorf("start the supervisor: %w", err)
	}
	pid := cmd.Process.Pid
	_ = cmd.Process.Release()

	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		st, err := supervisor.ReadState(dir)
		if err == nil && st.PID == pid && st.Addr != "" {
			return supervisor.Client{Addr: st.Addr, Token: st.Token}, nil
		}
		if !supervisor.Alive(pid) {
			break
		}
		select {
		case <-ctx.Done():
			return supervisor.Client{}, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	text, _ := os.ReadFile(filepath.Join(dir, supervisorLog))
	return supervisor.Client{}, fmt.Errorf("the supervisor did not start: %s", strings.TrimSpace(string(text)))
}

// supervise is the supervisor process: it serves the control API until
// the fleet is brought down, or it gets SIGTERM or SIGINT.
func supervise(ctx context.Context, o options, args []string) error {
	if len(args) != 0 {
		return errUsage
	}
	f, err := fleetfile.Read(o.path(o.file))
	if err != nil {
		return err
	}
	dir := o.stateDir()
	// Each fleet starts a new log; the last one's stays beside it.
	logPath := filepath.Join(dir, supervisor.LogName)
	if err := os.Rename(logPath, logPath+".1"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	// The supervisor must outlive a Ctrl-C of the command that started
	// it; it has no terminal, but a signal sent to it stops the fleet.
	signal.Ignore(syscall.SIGHUP)
	s, err := supervisor.New(o.root, dir, f)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(context.Background()) }()
	select {
	case <-ctx.Done():
		s.Down()
	case <-s.Done():
	case err = <-served:
		s.Down()
	}
	<-s.Done()
	if rmErr := supervisor.RemoveState(dir); rmErr != nil {
		return rmErr
	}
	return err
}

func down(ctx context.Context, o options) error {
	c, st, ok, err := running(ctx, o)
	if err != nil {
		return err
	}
	if ok {
		fmt.Println("stopping the fleet...")
		if err := c.Call(ctx, http.MethodPost, "/down", nil, nil); err != nil {
			return fmt.Errorf("down: %w", err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for supervisor.Alive(st.PID) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if supervisor.Alive(st.PID) {
			return fmt.Errorf("the supervisor (pid %d) did not exit", st.PID)
		}
	}
	// What a supervisor that died left behind: each process is the
	// leader of its own group.
	left := leftovers(st)
	for _, p := range left {
		_ = syscall.Kill(-p.PID, syscall.SIGTERM)
	}
	deadline := time.Now().Add(15 * time.Second)
	for len(leftovers(supervisor.State{Processes: left})) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	for _, p := range left {
		_ = syscall.Kill(-p.PID, syscall.SIGKILL)
	}
	if err := supervisor.RemoveState(o.stateDir()); err != nil {
		return err
	}
	switch {
	case len(left) > 0:
		fmt.Printf("stopped what a gone supervisor left: %s\n", refs(left))
	case ok:
		fmt.Println("fleet down: every service it started has stopped")
	default:
		fmt.Println("no fleet runs here")
	}
	return nil
}

func refs(ps []supervisor.ProcessRef) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%s pid %d", p.Instance, p.PID))
	}
	return strings.Join(parts, ", ")
}

// orphans is the error for processes of st that outlived their
// supervisor, which hold the fleet's ports, or for a supervisor alive
// that did not answer: nil when there are neither. A supervisor is taken
// for alive only while something listens at its address too: after a
// reboot its pid may be another program's.
func orphans(st supervisor.State) error {
	if st.PID != 0 && supervisor.Alive(st.PID) && listening(st.Addr) {
		return fmt.Errorf("the fleet's supervisor (pid %d) runs but does not answer at %s: try again, or stop it (kill %d) and then fleet down", st.PID, st.Addr, st.PID)
	}
	if left := leftovers(st); len(left) > 0 {
		return fmt.Errorf("processes of a fleet whose supervisor is gone still run (%s): fleet down stops them", refs(left))
	}
	return nil
}

// listening reports whether something accepts connections at addr.
func listening(addr string) bool {
	if addr == "" {
		return false
	}
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// notRunning is why a command that needs the supervisor cannot run.
func notRunning(st supervisor.State) error {
	if err := orphans(st); err != nil {
		return err
	}
	return errors.New("no fleet runs here: fleet up starts one")
}

func ps(ctx context.Context, o options, w io.Writer) error {
	c, st, ok, err := running(ctx, o)
	if err != nil {
		return err
	}
	if !ok {
		if err := orphans(st); err != nil {
			return err
		}
		fmt.Fprintln(w, "no fleet runs here: fleet up starts one")
		return nil
	}
	var rows []supervisor.Row
	if err := c.Call(ctx, http.MethodGet, "/ps", nil, &rows); err != nil {
		return err
	}
	printRows(w, rows, time.Now())
	return nil
}

// printRows prints ps's table.
func printRows(w io.Writer, rows []supervisor.Row, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tINSTANCE\tPID\tPORTS\tHEALTH\tUPTIME\tRESTARTS")
	for _, r := range rows {
		if r.PID == 0 && r.Note != "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t%s\t-\t-\n", r.Service, r.Note)
			continue
		}
		ports := make([]string, len(r.Ports))
		for i, p := range r.Ports {
			ports[i] = strconv.Itoa(p)
		}
		uptime := "-"
		if r.Health != supervisor.Done && r.Health != supervisor.Failed && !r.Started.IsZero() {
			uptime = now.Sub(r.Started).Round(time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%d\n", r.Service, r.Instance, r.PID, cmpOr(strings.Join(ports, ","), "-"), r.Health, uptime, r.Restarts)
	}
	tw.Flush()
	noted := map[string]bool{}
	for _, r := range rows {
		if r.PID != 0 && r.Note != "" && !noted[r.Service] {
			noted[r.Service] = true
			fmt.Fprintf(w, "%s: %s\n", r.Service, r.Note)
		}
	}
}

func cmpOr(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

func restart(ctx context.Context, o options, args []string) error {
	if len(args) != 1 {
		return errUsage
	}
	c, st, ok, err := running(ctx, o)
	if err != nil {
		return err
	}
	if !ok {
		return notRunning(st)
	}
	if err := c.Call(ctx, http.MethodPost, "/restart", supervisor.Request{Service: args[0]}, nil); err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	return ps(ctx, o, os.Stdout)
}

func scale(ctx context.Context, o options, args []string) error {
	if len(args) != 1 {
		return errUsage
	}
	name, count, ok := strings.Cut(args[0], "=")
	n, err := strconv.Atoi(count)
	if !ok || err != nil {
		return fmt.Errorf("scale %q: write SERVICE=N, e.g. scale sales-api=2", args[0])
	}
	c, st, running, err := running(ctx, o)
	if err != nil {
		return err
	}
	if !running {
		return notRunning(st)
	}
	if err := c.Call(ctx, http.MethodPost, "/scale", supervisor.Request{Service: name, N: n}, nil); err != nil {
		return fmt.Errorf("scale: %w", err)
	}
	return ps(ctx, o, os.Stdout)
}
