package supervisor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/garagesale/service/tools/fleet/fleetfile"
)

// The health of an instance, as ps shows it.
const (
	Starting  = "starting"
	Healthy   = "healthy"
	Unhealthy = "unhealthy"
	Running   = "running" // no health check: alive is all that is known
	Exited    = "exited"  // crashed; a restart is on its way
	Done      = "done"    // a job that exited 0
	Failed    = "failed"  // a job that did not
)

// instance is one process of a service. Its fields after the embedded
// Instance are guarded by the supervisor's mu.
type instance struct {
	fleetfile.Instance
	cmd      *exec.Cmd
	pid      int
	started  time.Time
	restarts int
	health   string
	// stopped is set when the fleet stops the instance on purpose; it
	// is then not restarted.
	stopped bool
	// exited is closed when the current process has exited; alive is
	// true from its start until then.
	exited chan struct{}
	alive  bool
	once   bool
}

func (in *instance) row() Row {
	ports := make([]int, 0, len(in.Ports))
	for _, p := range in.Ports {
		ports = append(ports, p)
	}
	slices.Sort(ports)
	return Row{Service: in.Service, Instance: in.Name(), PID: in.pid, Ports: ports, Health: in.health, Started: in.started, Restarts: in.restarts}
}

// startInstance starts instance i of svc after checking that its ports are
// free, and keeps it running: a crash restarts it after a backoff.
func (s *Supervisor) startInstance(ctx context.Context, svc *service, i int) (*instance, error) {
	if s.isStopping() {
		return nil, errors.New("the fleet is going down")
	}
	spec, err := svc.spec.Expand(i, os.Getenv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", svc.spec.Name, err)
	}
	in := &instance{Instance: spec, once: svc.spec.Once}
	if err := s.spawn(in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	svc.instances = slices.DeleteFunc(svc.instances, func(o *instance) bool { return o.Index == i })
	svc.instances = append(svc.instances, in)
	s.mu.Unlock()
	s.writeState()
	go s.keep(svc, in)
	if in.Health != "" {
		go s.checkHealth(in)
	}
	return in, nil
}

// spawn starts the instance's process, its output going to the fleet log.
func (s *Supervisor) spawn(in *instance) error {
	for name, port := range in.Ports {
		if err := portFree(port); err != nil {
			return fmt.Errorf("%s: its %s port %d %w", in.Name(), name, port, err)
		}
	}
	env, err := s.file.Environ(in.Instance, os.Environ())
	if err != nil {
		return fmt.Errorf("%s: %w", in.Name(), err)
	}

	prog := in.Command[0]
	if strings.Contains(prog, "/") && !filepath.IsAbs(prog) {
		prog = filepath.Join(s.root, prog)
	}
	cmd := exec.Command(prog, in.Command[1:]...)
	cmd.Dir = s.root
	cmd.Env = env
	// A group of its own, so that stopping it reaches what it starts
	// (pgrun's postgres, a shell's children) and a Ctrl-C in the
	// terminal that ran fleet up does not.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("%s: %w", in.Name(), err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return fmt.Errorf("%s: start %s: %w", in.Name(), in.Command[0], err)
	}
	w.Close()
	go s.copyLines(in.Name(), r)

	s.mu.Lock()
	in.cmd, in.pid, in.started, in.exited, in.alive = cmd, cmd.Process.Pid, time.Now(), make(chan struct{}), true
	in.health = Starting
	if in.Health == "" && !in.once {
		in.health = Running
	}
	s.mu.Unlock()
	s.log.Fleet("started %s (pid %d): %s", in.Name(), cmd.Process.Pid, strings.Join(in.Command, " "))
	return nil
}

// copyLines writes a process's output to the fleet log, line by line.
func (s *Supervisor) copyLines(name string, r *os.File) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		s.log.Line(name, sc.Text())
	}
}

// keep waits for the instance's process and restarts it when it exits by
// itself, waiting longer after each crash (1 s doubling to 30 s).
func (s *Supervisor) keep(svc *service, in *instance) {
	for {
		err := in.cmd.Wait()
		s.mu.Lock()
		in.alive = false
		exited := in.exited
		stopped := in.stopped
		switch {
		case in.once && err == nil:
			in.health = Done
		case in.once:
			in.health = Failed
		case !stopped:
			in.health = Exited
			in.restarts++
		}
		restarts := in.restarts
		s.mu.Unlock()
		close(exited)

		if in.once {
			s.log.Fleet("%s finished: %s", in.Name(), exitText(err))
			s.writeState()
			return
		}
		if stopped {
			return
		}
		wait := min(time.Second<<min(restarts-1, 5), 30*time.Second)
		s.log.Fleet("%s exited by itself (%s): restarting in %s", in.Name(), exitText(err), wait)
		time.Sleep(wait)
		if s.isStopping() || s.isStopped(in) {
			return
		}
		if err := s.spawn(in); err != nil {
			s.log.Fleet("restart %s: %v", in.Name(), err)
			s.mu.Lock()
			in.stopped = true
			s.mu.Unlock()
			return
		}
		s.writeState()
		if in.Health != "" {
			go s.checkHealth(in)
		}
	}
}

func (s *Supervisor) isStopped(in *instance) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return in.stopped
}

func exitText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String()
	}
	if err != nil {
		return err.Error()
	}
	return "exit status 0"
}

// stopInstance sends SIGTERM to the instance's process group and waits
// up to the service's stop timeout, then kills the group.
func (s *Supervisor) stopInstance(in *instance) {
	s.mu.Lock()
	if in.stopped && in.cmd == nil {
		s.mu.Unlock()
		return
	}
	in.stopped = true
	pid, exited := in.pid, in.exited
	s.mu.Unlock()
	if exited == nil {
		return
	}
	select {
	case <-exited:
		s.forgetInstance(in)
		return
	default:
	}

	spec := s.service(in.Service).spec
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(spec.StopTimeout):
		s.log.Fleet("%s did not stop within %s: killing it", in.Name(), spec.StopTimeout)
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-exited
	}
	// What the process started in its group (a shell's children) goes
	// with it.
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	s.log.Fleet("stopped %s (pid %d)", in.Name(), pid)
	s.forgetInstance(in)
}

// forgetInstance drops a stopped instance from its service (a finished
// job stays, so that ps shows how it ended).
func (s *Supervisor) forgetInstance(in *instance) {
	s.mu.Lock()
	svc := s.services[in.Service]
	if !in.once {
		svc.instances = slices.DeleteFunc(svc.instances, func(o *instance) bool { return o == in })
	}
	s.mu.Unlock()
	s.writeState()
}
