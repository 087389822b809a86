package validate

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// composeFile is the subset of the Compose specification the kit uses.
// Decoding is strict, so a key outside it (or a misspelled one) fails the
// test: extend the struct when you use more of Compose.
type composeFile struct {
	Name     string                    `json:"name"`
	Services map[string]composeService `json:"services"`
	Volumes  map[string]struct{}       `json:"volumes"`
}

type composeService struct {
	Image       string            `json:"image"`
	Entrypoint  []string          `json:"entrypoint"`
	Command     []string          `json:"command"`
	User        string            `json:"user"`
	Environment map[string]string `json:"environment"`
	Ports       []string          `json:"ports"`
	Volumes     []string          `json:"volumes"`
	Tmpfs       []string          `json:"tmpfs"`
	NetworkMode string            `json:"network_mode"`
	Networks    map[string]struct {
		Aliases []string `json:"aliases"`
	} `json:"networks"`
	DependsOn map[string]struct {
		Condition string `json:"condition"`
	} `json:"depends_on"`
	Healthcheck *struct {
		Test     []string `json:"test"`
		Interval string   `json:"interval"`
		Timeout  string   `json:"timeout"`
		Retries  int      `json:"retries"`
	} `json:"healthcheck"`
	StopGracePeriod string `json:"stop_grace_period"`
	ReadOnly        bool   `json:"read_only"`
	Restart         string `json:"restart"`
}

// loadCompose decodes zarf/compose/docker-compose.yaml strictly.
func loadCompose(t *testing.T) composeFile {
	t.Helper()
	js, err := yaml.YAMLToJSONStrict(readRepoFile(t, "zarf/compose/docker-compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cf composeFile
	strictErrs, err := kjson.UnmarshalStrict(js, &cf)
	if err != nil {
		t.Fatalf("docker-compose.yaml: %v", err)
	}
	for _, e := range strictErrs {
		t.Errorf("docker-compose.yaml: %v", e)
	}
	if len(cf.Services) == 0 {
		t.Fatal("docker-compose.yaml has no services")
	}
	return cf
}

// composeBinary says which of the kit's binaries a compose service runs.
func composeBinary(t *testing.T, name string, s composeService) string {
	t.Helper()
	images := makefileImages(t)
	switch s.Image {
	case images["SALES_IMAGE"]:
		switch {
		case len(s.Entrypoint) == 0:
			return "sales-api"
		case s.Entrypoint[0] == salesAdmin:
			return "sales-admin"
		}
		t.Fatalf("service %s runs %q, which the sales image does not have", name, s.Entrypoint)
	case images["METRICS_IMAGE"]:
		return "metrics"
	}
	return ""
}

// TestComposeMatchesTheCluster checks that compose runs the makefile's
// images with the same settings as the dev cluster, on the same host
// ports, and that every setting is one its binary has.
func TestComposeMatchesTheCluster(t *testing.T) {
	cf := loadCompose(t)
	bins := builtBinaries(t)
	images := makefileImages(t)

	// The same images as the makefile, no more, no fewer.
	want := make(map[string]bool)
	for _, img := range images {
		want[img] = true
	}
	got := make(map[string]bool)
	for _, s := range cf.Services {
		got[s.Image] = true
	}
	if diff := cmp.Diff(sortedKeys(want), sortedKeys(got)); diff != "" {
		t.Errorf("compose images differ from the makefile's *_IMAGE (-makefile +compose):\n%s", diff)
	}

	// Every variable is a setting of the binary the service runs.
	composeEnv := make(map[string]map[string]string) // binary -> env of its long-running service
	for name, s := range cf.Services {
		bin := composeBinary(t, name, s)
		if bin == "" {
			continue
		}
		for k, v := range s.Environment {
			if strings.Contains(v, "${") {
				continue
			}
			if err := checkSetting(bins[bin], k, v); err != nil {
				t.Errorf("service %s: %s: %v", name, k, err)
			}
		}
		if bin != "sales-admin" {
			composeEnv[bin] = s.Environment
		}
		// Compose sends SIGKILL after stop_grace_period (10s when unset):
		// the drain delay and the shutdown timeout must fit in it.
		if bin == "sales-api" {
			period := s.StopGracePeriod
			if period == "" {
				period = "10s"
			}
			grace, err := time.ParseDuration(period)
			if err != nil {
				t.Fatalf("service %s: stop_grace_period: %v", name, err)
			}
			var total time.Duration
			for _, k := range []string{"SALES_WEB_SHUTDOWN_DELAY", "SALES_WEB_SHUTDOWN_TIMEOUT"} {
				d, err := time.ParseDuration(settingValue(t, bins[bin], s.Environment, k))
				if err != nil {
					t.Fatal(err)
				}
				total += d
			}
			if total >= grace {
				t.Errorf("service %s: drain delay + shutdown timeout = %v, not shorter than stop_grace_period %v", name, total, grace)
			}
		}
	}

	// The same variables as the containers of the sales pod.
	objs := render(t, "dev/sales")
	cms := configMaps(objs)
	d := find[*appsv1.Deployment](t, objs, "Deployment", "sales")
	for _, c := range d.Spec.Template.Spec.Containers {
		bin := binaryOf(t, c)
		if bin == "" {
			continue
		}
		// The pod gives Go its memory limit, which compose does not set.
		env := containerEnv(t, c, cms)
		delete(env, "GOMEMLIMIT")
		if diff := cmp.Diff(sortedKeys(env), sortedKeys(composeEnv[bin])); diff != "" {
			t.Errorf("%s: variables differ between the sales pod and compose (-k8s +compose):\n%s", bin, diff)
		}
	}

	// Compose publishes what kind maps: localhost:PORT is the same service
	// whichever way the kit runs.
	// Both on the host's loopback only: the seeded admin's password is
	// known, and the debug port shows the process's insides.
	var kindPorts, composePorts []string
	for _, n := range kindConfig(t).Nodes {
		for _, m := range n.ExtraPortMappings {
			kindPorts = append(kindPorts, strconv.Itoa(int(m.HostPort)))
			if m.ListenAddress != "127.0.0.1" {
				t.Errorf("kind maps host port %d on %q, not 127.0.0.1", m.HostPort, m.ListenAddress)
			}
		}
	}
	for _, s := range cf.Services {
		for _, p := range s.Ports {
			ip, rest, _ := strings.Cut(p, ":")
			host, _, _ := strings.Cut(rest, ":")
			composePorts = append(composePorts, host)
			if ip != "127.0.0.1" {
				t.Errorf("compose publishes %q on every interface: write 127.0.0.1:HOST:CONTAINER", p)
			}
		}
	}
	if diff := cmp.Diff(sortedStrings(kindPorts), sortedStrings(composePorts)); diff != "" {
		t.Errorf("host ports differ between kind and compose (-kind +compose):\n%s", diff)
	}
}

// TestComposeAddressesResolve checks that every host name the config
// files and settings use is a compose service or alias, and that every file
// compose mounts exists.
func TestComposeAddressesResolve(t *testing.T) {
	cf := loadCompose(t)

	hosts := make(map[string]bool)
	for name, s := range cf.Services {
		hosts[name] = true
		for _, n := range s.Networks {
			for _, a := range n.Aliases {
				hosts[a] = true
			}
		}
	}

	var addrs []string
	addrs = append(addrs, prometheusTargets(t)...)
	for _, ds := range grafanaDatasources(t) {
		addrs = append(addrs, strings.TrimPrefix(strings.TrimPrefix(ds.URL, "http://"), "https://"))
	}
	for _, s := range cf.Services {
		for _, k := range []string{"SALES_DB_HOST", "SALES_TEMPO_HOST"} {
			if v, ok := s.Environment[k]; ok {
				addrs = append(addrs, v)
			}
		}
	}
	for _, a := range addrs {
		host, _, err := net.SplitHostPort(strings.TrimSuffix(a, "/"))
		if err != nil {
			t.Errorf("address %q: %v", a, err)
			continue
		}
		if !hosts[host] {
			t.Errorf("address %s: no compose service or alias %q", a, host)
		}
	}

	// The sidecar must share the API's network namespace to read
	// localhost:3010 the way it does in the pod.
	if got := cf.Services["metrics"].NetworkMode; got != "service:sales" {
		t.Errorf("metrics network_mode = %q, want service:sales", got)
	}

	for name, s := range cf.Services {
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if !strings.HasPrefix(src, ".") {
				if _, ok := cf.Volumes[src]; !ok {
					t.Errorf("service %s: volume %q is not declared", name, src)
				}
				continue
			}
			path := filepath.Join(repoRoot(t), "zarf", "compose", filepath.FromSlash(src))
			if _, err := os.Stat(path); err != nil && src != "../keys" {
				t.Errorf("service %s mounts %s: %v", name, src, err)
			}
		}
	}
}

func sortedStrings(s []string) []string {
	m := make(map[string]bool, len(s))
	for _, v := range s {
		m[v] = true
	}
	return sortedKeys(m)
}
