package fleetfile

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// BinDir is where the fleet puts the binaries it builds, relative to the
// repository root.
const BinDir = ".fleet/bin"

// Instance is one running copy of a service, its ${...} references
// filled in.
type Instance struct {
	Service string
	// Index counts from 0; people see Index+1.
	Index   int
	Command []string
	// Env is the service's env over the fleet's, filled in.
	Env    map[string]string
	Ports  map[string]int
	Health string
}

// Name is how people see the instance: sales-api.1, sales-api.2.
func (i Instance) Name() string { return fmt.Sprintf("%s.%d", i.Service, i.Index+1) }

// Expand fills in the instance with index i. A value may refer to
// ${port.NAME} (the instance's port of that name), ${instance} (its number,
// from 1), ${bin} (the built binary) and environment variables (looked up
// with getenv); anything else is an error.
func (s *Service) Expand(i int, getenv func(string) string) (Instance, error) {
	in := Instance{Service: s.Name, Index: i, Ports: map[string]int{}, Env: map[string]string{}}
	for name, base := range s.Ports {
		in.Ports[name] = base + i
	}

	var unknown []string
	expand := func(v string) string {
		return os.Expand(v, func(ref string) string {
			switch {
			case ref == "instance":
				return strconv.Itoa(i + 1)
			case ref == "bin":
				return filepath.Join(BinDir, s.Binary)
			case strings.HasPrefix(ref, "port."):
				if p, ok := in.Ports[strings.TrimPrefix(ref, "port.")]; ok {
					return strconv.Itoa(p)
				}
			default:
				if v := getenv(ref); v != "" {
					return v
				}
			}
			unknown = append(unknown, "${"+ref+"}")
			return ""
		})
	}

	for _, arg := range s.Command {
		in.Command = append(in.Command, expand(arg))
	}
	for k, v := range s.Env {
		in.Env[k] = expand(v)
	}
	in.Health = expand(s.Health)
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return Instance{}, fmt.Errorf("unknown %s: a value may use ${port.NAME} of its own ports, ${instance}, ${bin} and environment variables that are set", strings.Join(slices.Compact(unknown), ", "))
	}
	return in, nil
}

// Environ is the environment an instance runs with: the fleet's own
// environment, then the file's env, then the service's.
func (f *File) Environ(in Instance, base []string) ([]string, error) {
	env := map[string]string{}
	for _, kv := range base {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	s, ok := f.Service(in.Service)
	if !ok {
		return nil, errors.New("no service " + in.Service)
	}
	// The file's env may use ${...} too, filled in for this instance.
	common := Service{Name: s.Name, Binary: s.Binary, Ports: s.Ports, Env: f.Env, Command: []string{"-"}}
	expanded, err := common.Expand(in.Index, func(k string) string { return env[k] })
	if err != nil {
		return nil, fmt.Errorf("env: %w", err)
	}
	maps.Copy(env, expanded.Env)
	maps.Copy(env, in.Env)
	out := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out, nil
}
