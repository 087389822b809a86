package fleetfile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/garagesale/service/tools/fleet/fleetfile"
	"github.com/google/go-cmp/cmp"
)

// TestRepositoryFleetFile reads the kit's own fleet file: it parses, and
// the services start in an order where each comes after what it needs.
func TestRepositoryFleetFile(t *testing.T) {
	f, err := fleetfile.Read(filepath.Join("..", "..", "..", "zarf", "fleet.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"postgres", "setup", "jaeger", "sales-api", "metrics", "prometheus"}
	if diff := cmp.Diff(want, f.Names()); diff != "" {
		t.Errorf("start order (-want +got):\n%s", diff)
	}
	for _, s := range f.Services {
		for _, path := range append([]string{s.Go}, s.Command...) {
			if !strings.HasPrefix(path, "./") && !strings.HasPrefix(path, "zarf/") {
				continue
			}
			if _, err := os.Stat(filepath.Join("..", "..", "..", path)); err != nil {
				t.Errorf("%s names %s, which is not in the repository", s.Name, path)
			}
		}
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name string
		file string
		want string
	}{
		{"no services", "env: {A: b}\n", "no services"},
		{"unknown field", "services:\n  a:\n    comand: [x]\n", "field comand not found"},
		{"no program", "services:\n  a:\n    ports: {p: 1}\n", "service a: needs a go: main package or a command: to run"},
		{"package outside", "services:\n  a:\n    go: github.com/x/y\n", "must be a path in the module starting with ./"},
		{"unknown dependency", "services:\n  a:\n    command: [x]\n    after: [b]\n", `service a: after: no service "b"`},
		{"cycle", "services:\n  a:\n    command: [x]\n    after: [b]\n  b:\n    command: [x]\n    after: [a]\n", "cycle: a → b → a"},
		{"unknown reference", "services:\n  a:\n    command: [x, \"${port.web}\"]\n", "unknown ${port.web}"},
		{"bad health", "services:\n  a:\n    command: [x]\n    health: ftp://x\n", "must be an http:// URL or tcp://host:port"},
		{"scaled job", "services:\n  a:\n    command: [x]\n    once: true\n    scale: 2\n", "runs as one instance"},
		{"watch without go", "services:\n  a:\n    command: [x]\n    watch: true\n", "only a go: service"},
		{"bad name", "services:\n  A_b:\n    command: [x]\n", "lower-case letters"},
		{"bad duration", "services:\n  a:\n    command: [x]\n    ready_timeout: soon\n", `ready_timeout: "soon" is not a duration`},
		{"ports overlap when scaled", "services:\n  a:\n    command: [x]\n    ports: {api: 3000}\n    scale: 2\n  b:\n    command: [x]\n    ports: {api: 3001}\n", "port 3001 would be used twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fleetfile.Parse([]byte(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error: got %v, want one with %q", err, tt.want)
			}
		})
	}
}

func TestExpandGivesEachInstanceItsPorts(t *testing.T) {
	f, err := fleetfile.Parse([]byte(`
env:
  SHARED: "${HOME}/x"
services:
  api:
    go: ./cmd/api
    env:
      ADDR: 127.0.0.1:${port.api}
      NAME: api-${instance}
    ports: {api: 3000, debug: 3010}
    health: http://127.0.0.1:${port.debug}/ready
`))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := f.Service("api")
	getenv := func(k string) string { return map[string]string{"HOME": "/home/gopher"}[k] }
	got, err := s.Expand(1, getenv)
	if err != nil {
		t.Fatal(err)
	}
	want := fleetfile.Instance{
		Service: "api", Index: 1,
		Command: []string{".fleet/bin/api"},
		Env:     map[string]string{"ADDR": "127.0.0.1:3001", "NAME": "api-2"},
		Ports:   map[string]int{"api": 3001, "debug": 3011},
		Health:  "http://127.0.0.1:3011/ready",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("instance (-want +got):\n%s", diff)
	}
	if got.Name() != "api.2" {
		t.Errorf("name: got %s, want api.2", got.Name())
	}

	env, err := f.Environ(got, []string{"HOME=/home/gopher", "ADDR=overridden"})
	if err != nil {
		t.Fatal(err)
	}
	wantEnv := []string{"ADDR=127.0.0.1:3001", "HOME=/home/gopher", "NAME=api-2", "SHARED=/home/gopher/x"}
	if diff := cmp.Diff(wantEnv, env); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
}

func TestWithDepsAddsWhatServicesWaitFor(t *testing.T) {
	f, err := fleetfile.Parse([]byte(`
services:
  web:
    command: [w]
    after: [api]
  db:
    command: [d]
  api:
    command: [a]
    after: [db]
  other:
    command: [o]
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		names []string
		want  []string
	}{
		{nil, []string{"db", "api", "web", "other"}},
		{[]string{"api"}, []string{"db", "api"}},
		{[]string{"web", "other"}, []string{"db", "api", "web", "other"}},
	}
	for _, tt := range tests {
		specs, err := f.WithDeps(tt.names)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range specs {
			got = append(got, s.Name)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("WithDeps(%v) (-want +got):\n%s", tt.names, diff)
		}
	}
	if _, err := f.WithDeps([]string{"nope"}); err == nil || !strings.Contains(err.Error(), `no service "nope"`) {
		t.Errorf("unknown service: got %v", err)
	}
}
