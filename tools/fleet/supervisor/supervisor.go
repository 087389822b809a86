// Package supervisor runs the services of a fleet file as processes: it
// builds them, starts them in order, checks their health, restarts the
// ones that crash, scales and restarts them on request, rebuilds them when
// their Go files change, and stops them all. One supervisor process owns
// the fleet; the fleet command talks to it over a loopback HTTP API whose
// address is in the state folder (.fleet/).
package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/garagesale/service/tools/fleet/fleetfile"
)

// Supervisor owns the processes of one fleet.
type Supervisor struct {
	root string // the repository: every path of the fleet file is relative to it
	dir  string // the state folder
	file *fleetfile.File
	log  *Log

	// op serialises what changes the fleet (up, scale, restart, a
	// rebuild, down): one at a time, in the order they come.
	op sync.Mutex

	mu       sync.Mutex
	ctlAddr  string // where Serve answers
	ctlToken string // what it asks of every request
	watcher  *fsnotify.Watcher
	services map[string]*service
	stopping bool
	done     chan struct{} // closed once down has stopped everything
}

// service is a service of the file and its running instances.
type service struct {
	spec      *fleetfile.Service
	scale     int
	instances []*instance
	// skipped says why the service does not run (its program is not
	// installed); it is shown by ps.
	skipped string
	// built is when its binary was last built.
	built bool
	// stale says that the last rebuild on a change failed, and the
	// instances run the build before it; ps shows it.
	stale string
}

// New returns a supervisor of the fleet file f for the repository at root,
// keeping its state in dir.
func New(root, dir string, f *fleetfile.File) (*Supervisor, error) {
	if err := os.MkdirAll(filepath.Join(root, fleetfile.BinDir), 0o755); err != nil {
		return nil, fmt.Errorf("create the bin folder: %w", err)
	}
	log, err := OpenLog(filepath.Join(dir, LogName))
	if err != nil {
		return nil, err
	}
	s := Supervisor{root: root, dir: dir, file: f, log: log, services: map[string]*service{}, done: make(chan struct{})}
	for _, spec := range f.Services {
		s.services[spec.Name] = &service{spec: spec, scale: spec.Scale}
	}
	return &s, nil
}

// Done is closed when the fleet has been brought down.
func (s *Supervisor) Done() <-chan struct{} { return s.done }

// Up builds and starts the named services and those they wait for (all
// when none are named), in order, each instance healthy before the next
// service starts. Services already running are left as they are. When a
// service fails to start, what this call started is stopped again. With
// watch, Go changes rebuild the services from then on.
func (s *Supervisor) Up(ctx context.Context, names []string, watch bool) error {
	s.op.Lock()
	defer s.op.Unlock()
	if s.isStopping() {
		return errors.New("the fleet is going down")
	}

	specs, err := s.file.WithDeps(names)
	if err != nil {
		return err
	}
	var started []*instance
	fail := func(err error) error {
		slices.Reverse(started)
		s.stopAll(started)
		return err
	}
	for _, spec := range specs {
		svc := s.service(spec.Name)
		if spec.Requires != "" {
			if _, err := exec.LookPath(spec.Requires); err != nil {
				s.mu.Lock()
				svc.skipped = spec.Requires + " is not installed"
				s.mu.Unlock()
				s.log.Fleet("%s: skipped: %s is not installed (on Debian or Ubuntu: apt-get install %s)", spec.Name, spec.Requires, spec.Requires)
				continue
			}
		}
		if spec.Once && s.jobDone(svc) {
			continue
		}
		running := s.liveInstances(svc)
		if len(running) >= svc.scale {
			continue
		}
		if !svc.built {
			if err := s.build(ctx, spec); err != nil {
				return fail(err)
			}
			s.mu.Lock()
			svc.built = true
			s.mu.Unlock()
		}
		for i := len(running); i < max(svc.scale, boolInt(spec.Once)); i++ {
			in, err := s.startInstance(ctx, svc, i)
			if err != nil {
				return fail(err)
			}
			started = append(started, in)
			if err := s.waitReady(ctx, in); err != nil {
				return fail(err)
			}
		}
	}
	if watch {
		s.startWatching()
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Scale runs n instances of the service: new ones start on the next
// ports and must turn healthy; the highest-numbered go first when n is
// lower.
func (s *Supervisor) Scale(ctx context.Context, name string, n int) error {
	s.op.Lock()
	defer s.op.Unlock()
	svc, ok := s.services[name]
	switch {
	case !ok:
		return fmt.Errorf("no service %q in the fleet file", name)
	case svc.spec.Once:
		return fmt.Errorf("%s is a job that runs once: it does not scale", name)
	case n < 0:
		return fmt.Errorf("scale %s=%d: the count is negative", name, n)
	}
	scale := map[string]int{}
	for k, v := range s.services {
		scale[k] = v.scale
	}
	scale[name] = n
	if err := s.file.CheckPorts(scale); err != nil {
		return fmt.Errorf("scale %s=%d: %w", name, n, err)
	}
	if !svc.built && n > 0 {
		if err := s.build(ctx, svc.spec); err != nil {
			return err
		}
		svc.built = true
	}

	s.mu.Lock()
	old := svc.scale
	svc.scale = n
	s.mu.Unlock()
	s.log.Fleet("scaling %s from %d to %d", name, old, n)

	live := s.liveInstances(svc)
	for i := len(live); i < n; i++ {
		in, err := s.startInstance(ctx, svc, i)
		if err == nil {
			err = s.waitReady(ctx, in)
		}
		if err != nil {
			// What did start stays; the scale is what runs.
			s.mu.Lock()
			svc.scale = i
			s.mu.Unlock()
			if in != nil {
				s.stopInstance(in)
			}
			return err
		}
	}
	if len(live) > n {
		extra := live[n:]
		slices.Reverse(extra)
		s.stopAll(extra)
		s.mu.Lock()
		svc.instances = slices.DeleteFunc(svc.instances, func(in *instance) bool { return slices.Contains(extra, in) })
		s.mu.Unlock()
	}
	return nil
}

// Restart stops and starts the service's instances one at a time, each
// healthy again before the next goes, so the others keep serving.
func (s *Supervisor) Restart(ctx context.Context, name string) error {
	s.op.Lock()
	defer s.op.Unlock()
	svc, ok := s.services[name]
	if !ok {
		return fmt.Errorf("no service %q in the fleet file", name)
	}
	if len(s.liveInstances(svc)) == 0 {
		return fmt.Errorf("%s is not running: fleet up %s starts it", name, name)
	}
	return s.rollingRestart(ctx, svc)
}

// rollingRestart replaces each live instance of svc in turn.
func (s *Supervisor) rollingRestart(ctx context.Context, svc *service) error {
	for _, old := range s.liveInstances(svc) {
		s.log.Fleet("restarting %s", old.Name())
		s.stopInstance(old)
		in, err := s.startInstance(ctx, svc, old.Index)
		if err != nil {
			return err
		}
		if err := s.waitReady(ctx, in); err != nil {
			return err
		}
	}
	return nil
}

// Down stops every instance, services in the reverse of their start order,
// and closes Done.
func (s *Supervisor) Down() {
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		<-s.done
		return
	}
	s.stopping = true
	s.mu.Unlock()

	// A running operation (a rebuild, an up) is waited for: it ends soon
	// once stopping is set, as no new instance starts from then on.
	s.op.Lock()
	defer s.op.Unlock()
	s.stopWatching()
	var all []*instance
	for _, spec := range s.file.Services {
		all = append(all, s.service(spec.Name).instances...)
	}
	slices.Reverse(all)
	s.stopAll(all)
	s.log.Fleet("fleet down")
	s.writeState()
	close(s.done)
}

func (s *Supervisor) isStopping() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopping
}

func (s *Supervisor) service(name string) *service {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.services[name]
}

// liveInstances are the service's instances that have not been stopped,
// lowest number first.
func (s *Supervisor) liveInstances(svc *service) []*instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	var live []*instance
	for _, in := range svc.instances {
		if !in.stopped {
			live = append(live, in)
		}
	}
	slices.SortFunc(live, func(a, b *instance) int { return a.Index - b.Index })
	return live
}

func (s *Supervisor) jobDone(svc *service) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.ContainsFunc(svc.instances, func(in *instance) bool { return in.health == Done })
}

// stopAll stops the instances in the order given.
func (s *Supervisor) stopAll(ins []*instance) {
	for _, in := range ins {
		s.stopInstance(in)
	}
}

// Row is one line of ps.
type Row struct {
	Service  string    `json:"service"`
	Instance string    `json:"instance"`
	PID      int       `json:"pid"`
	Ports    []int     `json:"ports"`
	Health   string    `json:"health"`
	Started  time.Time `json:"started"`
	Restarts int       `json:"restarts"`
	Note     string    `json:"note,omitempty"`
}

// PS lists every instance, and every service that runs none, in start
// order.
func (s *Supervisor) PS() []Row {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rows []Row
	for _, spec := range s.file.Services {
		svc := s.services[spec.Name]
		var shown int
		for _, in := range svc.instances {
			if in.stopped && in.health != Done && in.health != Failed {
				continue
			}
			row := in.row()
			row.Note = svc.stale
			rows = append(rows, row)
			shown++
		}
		if shown == 0 {
			note := "not started"
			if svc.skipped != "" {
				note = "skipped: " + svc.skipped
			}
			rows = append(rows, Row{Service: spec.Name, Health: "-", Note: note})
		}
	}
	return rows
}

// lastLines is the end of an instance's log, quoted in errors so that the
// reason a service failed shows where the failure is reported.
func (s *Supervisor) lastLines(in *instance, n int) string {
	lines := s.log.Tail(in.Name(), n)
	if len(lines) == 0 {
		return ""
	}
	return "\n  " + strings.Join(lines, "\n  ")
}
