// Package fleetfile reads the fleet file: the services of the local fleet,
// how each is built and started, its ports, health check, dependencies
// and scale. It knows nothing of processes; the supervisor runs what it
// describes.
package fleetfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"
)

// File is a parsed fleet file. Services are in start order: every service
// after the ones it names in After, otherwise in the order of the file.
type File struct {
	// Env is set for every service, under its own env.
	Env map[string]string
	// TestEnv is set for the tests that watch mode runs.
	TestEnv  map[string]string
	Services []*Service
}

// Service is one service of the fleet.
type Service struct {
	Name string
	// Go is the main package built into BinDir/Binary; empty for a
	// program that is not ours.
	Go string
	// Binary is the file name of the build (default: the service's name).
	Binary string
	// Tags are Go build tags.
	Tags string
	// Build is a shell command run before the service starts (for a
	// program that is not built by Go).
	Build string
	// Command is the program and its arguments (default: ${bin}).
	Command []string
	Env     map[string]string
	// Ports are named base ports; instance i (from 0) gets base + i.
	Ports map[string]int
	// Health is an http:// URL answering 2xx or a tcp://host:port that
	// accepts connections, once the instance is ready.
	Health string
	After  []string
	Scale  int
	// Once marks a job: it runs to completion (exit 0) before the
	// services after it start, and is not restarted.
	Once bool
	// Requires names a program that must be on PATH; without it the
	// service is skipped with a message.
	Requires string
	// Watch rebuilds and restarts the service when a Go file it depends
	// on changes (up --watch); default true for Go services.
	Watch        bool
	ReadyTimeout time.Duration
	StopTimeout  time.Duration
}

// raw is the YAML form of a service.
type raw struct {
	Go           string            `yaml:"go"`
	Binary       string            `yaml:"binary"`
	Tags         string            `yaml:"tags"`
	Build        string            `yaml:"build"`
	Command      []string          `yaml:"command"`
	Env          map[string]string `yaml:"env"`
	Ports        map[string]int    `yaml:"ports"`
	Health       string            `yaml:"health"`
	After        []string          `yaml:"after"`
	Scale        *int              `yaml:"scale"`
	Once         bool              `yaml:"once"`
	Requires     string            `yaml:"requires"`
	Watch        *bool             `yaml:"watch"`
	ReadyTimeout string            `yaml:"ready_timeout"`
	StopTimeout  string            `yaml:"stop_timeout"`
}

// Read reads and checks the fleet file at path.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the fleet file: %w", err)
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// Parse parses and checks a fleet file's content.
func Parse(data []byte) (*File, error) {
	var doc struct {
		Env      map[string]string `yaml:"env"`
		TestEnv  map[string]string `yaml:"test_env"`
		Services yaml.Node         `yaml:"services"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if doc.Services.Kind != yaml.MappingNode || len(doc.Services.Content) == 0 {
		return nil, errors.New("no services: the file needs a services: map")
	}

	f := File{Env: doc.Env, TestEnv: doc.TestEnv}
	byName := map[string]*Service{}
	var inFile []*Service
	for i := 0; i+1 < len(doc.Services.Content); i += 2 {
		name := doc.Services.Content[i].Value
		if !nameRE.MatchString(name) {
			return nil, fmt.Errorf("service %q: a name is lower-case letters, digits and dashes", name)
		}
		var r raw
		body, err := yaml.Marshal(doc.Services.Content[i+1])
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", name, err)
		}
		sdec := yaml.NewDecoder(bytes.NewReader(body))
		sdec.KnownFields(true)
		if err := sdec.Decode(&r); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("service %s: %w", name, err)
		}
		s, err := r.service(name)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", name, err)
		}
		byName[name] = s
		inFile = append(inFile, s)
	}

	order, err := startOrder(inFile, byName)
	if err != nil {
		return nil, err
	}
	f.Services = order
	if err := f.CheckPorts(nil); err != nil {
		return nil, err
	}
	return &f, nil
}

func (r raw) service(name string) (*Service, error) {
	s := Service{
		Name: name, Go: r.Go, Binary: r.Binary, Tags: r.Tags, Build: r.Build, Command: r.Command,
		Env: r.Env, Ports: r.Ports, Health: r.Health, After: r.After, Once: r.Once,
		Requires: r.Requires, Scale: 1, Watch: r.Go != "",
		ReadyTimeout: 60 * time.Second, StopTimeout: 15 * time.Second,
	}
	if r.Scale != nil {
		s.Scale = *r.Scale
	}
	if r.Watch != nil {
		s.Watch = *r.Watch
	}
	if s.Binary == "" {
		s.Binary = name
	}
	for field, v := range map[string]struct {
		text string
		to   *time.Duration
	}{"ready_timeout": {r.ReadyTimeout, &s.ReadyTimeout}, "stop_timeout": {r.StopTimeout, &s.StopTimeout}} {
		if v.text == "" {
			continue
		}
		d, err := time.ParseDuration(v.text)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%s: %q is not a duration such as 30s", field, v.text)
		}
		*v.to = d
	}

	switch {
	case s.Go == "" && len(s.Command) == 0:
		return nil, errors.New("needs a go: main package or a command: to run")
	case s.Go != "" && !strings.HasPrefix(s.Go, "./"):
		return nil, fmt.Errorf("go: %q must be a path in the module starting with ./", s.Go)
	case s.Scale < 0:
		return nil, fmt.Errorf("scale: %d is negative", s.Scale)
	case s.Once && s.Scale > 1:
		return nil, errors.New("a once: job runs as one instance; drop scale")
	case s.Once && s.Health != "":
		return nil, errors.New("a once: job is ready when it exits 0; drop health")
	case s.Watch && s.Go == "":
		return nil, errors.New("watch: only a go: service is rebuilt on change")
	}
	if len(s.Command) == 0 {
		s.Command = []string{"${bin}"}
	}
	if s.Health != "" && !strings.HasPrefix(s.Health, "http://") && !strings.HasPrefix(s.Health, "tcp://") {
		return nil, fmt.Errorf("health: %q must be an http:// URL or tcp://host:port", s.Health)
	}
	for port, base := range s.Ports {
		if base < 1 || base > 65535 {
			return nil, fmt.Errorf("ports: %s: %d is not a port", port, base)
		}
	}
	// Every ${...} must name something known; unknown names fail here,
	// not when an instance starts.
	if _, err := s.Expand(0, os.Getenv); err != nil {
		return nil, err
	}
	return &s, nil
}

// startOrder sorts the services so each comes after those it names in
// After, keeping the file's order otherwise, and refuses unknown names and
// cycles.
func startOrder(inFile []*Service, byName map[string]*Service) ([]*Service, error) {
	var order []*Service
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(s *Service, path []string) error
	visit = func(s *Service, path []string) error {
		switch state[s.Name] {
		case 1:
			return fmt.Errorf("services wait for each other in a cycle: %s", strings.Join(append(path, s.Name), " → "))
		case 2:
			return nil
		}
		state[s.Name] = 1
		for _, dep := range s.After {
			d, ok := byName[dep]
			if !ok {
				return fmt.Errorf("service %s: after: no service %q", s.Name, dep)
			}
			if err := visit(d, append(path, s.Name)); err != nil {
				return err
			}
		}
		state[s.Name] = 2
		order = append(order, s)
		return nil
	}
	for _, s := range inFile {
		if err := visit(s, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// Service returns the service of that name.
func (f *File) Service(name string) (*Service, bool) {
	i := slices.IndexFunc(f.Services, func(s *Service) bool { return s.Name == name })
	if i < 0 {
		return nil, false
	}
	return f.Services[i], true
}

// Names lists the services in start order.
func (f *File) Names() []string {
	names := make([]string, len(f.Services))
	for i, s := range f.Services {
		names[i] = s.Name
	}
	return names
}

// WithDeps returns the named services and every service they wait for,
// in start order; no names means all.
func (f *File) WithDeps(names []string) ([]*Service, error) {
	if len(names) == 0 {
		return f.Services, nil
	}
	want := map[string]bool{}
	var add func(name string) error
	add = func(name string) error {
		s, ok := f.Service(name)
		if !ok {
			return fmt.Errorf("no service %q in the fleet file (it has %s)", name, strings.Join(f.Names(), ", "))
		}
		if want[name] {
			return nil
		}
		want[name] = true
		for _, d := range s.After {
			if err := add(d); err != nil {
				return err
			}
		}
		return nil
	}
	for _, n := range names {
		if err := add(n); err != nil {
			return nil, err
		}
	}
	var out []*Service
	for _, s := range f.Services {
		if want[s.Name] {
			out = append(out, s)
		}
	}
	return out, nil
}

// CheckPorts refuses two instances that would listen on one port, given
// the scale of each service (scale overrides the file's).
func (f *File) CheckPorts(scale map[string]int) error {
	owner := map[int]string{}
	for _, s := range f.Services {
		n := s.Scale
		if v, ok := scale[s.Name]; ok {
			n = v
		}
		names := make([]string, 0, len(s.Ports))
		for name := range s.Ports {
			names = append(names, name)
		}
		slices.Sort(names)
		for i := range n {
			for _, name := range names {
				port := s.Ports[name] + i
				who := fmt.Sprintf("%s %s of instance %d", s.Name, name, i+1)
				if other, ok := owner[port]; ok {
					return fmt.Errorf("port %d would be used twice: by %s and by %s; space the base ports further apart", port, other, who)
				}
				owner[port] = who
			}
		}
	}
	return nil
}
