package validate

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// salesAdmin is the path of sales-admin in the sales image
// (zarf/docker/dockerfile.sales); the image's entrypoint is sales-api.
const salesAdmin = "/app/sales-admin"

// binaryOf says which of the kit's binaries a container runs, from its
// image (whatever its tag: dev or a release) and command; "" for
// third-party images.
func binaryOf(t *testing.T, c corev1.Container) string {
	t.Helper()
	images := makefileImages(t)
	switch imageRepo(c.Image) {
	case imageRepo(images["SALES_IMAGE"]):
		switch {
		case len(c.Command) == 0:
			return "sales-api"
		case c.Command[0] == salesAdmin:
			return "sales-admin"
		}
		t.Fatalf("container %s runs %q, which the sales image does not have", c.Name, c.Command[0])
	case imageRepo(images["METRICS_IMAGE"]):
		if len(c.Command) != 0 {
			t.Fatalf("container %s overrides the metrics image's entrypoint with %q", c.Name, c.Command)
		}
		return "metrics"
	}
	return ""
}

// imageRepo is an image reference without its tag.
func imageRepo(image string) string {
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		return image[:i]
	}
	return image
}

// settingValue is the value a binary in that environment gets for a
// setting: the environment's, or the default --help prints.
func settingValue(t *testing.T, bin binary, env map[string]string, name string) string {
	t.Helper()
	if v, ok := env[name]; ok {
		return v
	}
	s, ok := bin.Settings[name]
	if !ok {
		t.Fatalf("%s is not a setting of the binary", name)
	}
	return s.Default
}

// portOf returns the port of a host:port setting.
func portOf(t *testing.T, hostport string) int32 {
	t.Helper()
	_, port, err := net.SplitHostPort(hostport)
	if err != nil {
		t.Fatalf("%q: %v", hostport, err)
	}
	n, err := strconv.ParseInt(port, 10, 32)
	if err != nil {
		t.Fatalf("%q: %v", hostport, err)
	}
	return int32(n)
}

// resolvePort turns a probe's or Service's target port (number or name)
// into a container port number of c.
func resolvePort(c corev1.Container, p intstr.IntOrString) (int32, bool) {
	if p.Type == intstr.Int {
		return p.IntVal, true
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return cp.ContainerPort, true
		}
	}
	return 0, false
}

// TestProbesMatchServedRoutes checks every HTTP probe of the kit's own
// containers against the routes its binary serves on that port: a probe
// of a path or port the binary does not serve keeps the pod unready (or
// restarts it) forever.
func TestProbesMatchServedRoutes(t *testing.T) {
	bins := builtBinaries(t)
	objs := render(t, "dev/sales")
	cms := configMaps(objs)

	checked := 0
	for _, w := range workloads(objs) {
		if w.Kind == "CronJob" {
			continue // its pods serve nothing and have no probes
		}
		for _, c := range w.Pod.Spec.Containers {
			name := binaryOf(t, c)
			if name == "" {
				continue
			}
			t.Run(w.Name+"/"+c.Name, func(t *testing.T) {
				env := containerEnv(t, c, cms)
				byPort := make(map[int32]map[string]bool)
				for _, l := range listeners[name].Listeners {
					port := portOf(t, settingValue(t, bins[name], env, l.Setting))
					byPort[port] = routes(t, l.RoutesDir, l.RoutesFunc)
					if !containerHasPort(c, port) {
						t.Errorf("%s listens on %d (%s) but the container does not declare that port", name, port, l.Setting)
					}
				}

				probes := map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe}
				for kind, p := range probes {
					if p == nil {
						if kind != "startup" {
							t.Errorf("no %s probe", kind)
						}
						continue
					}
					if p.HTTPGet == nil {
						t.Errorf("%s probe is not an HTTP GET", kind)
						continue
					}
					port, ok := resolvePort(c, p.HTTPGet.Port)
					if !ok {
						t.Errorf("%s probe port %s is not a port of the container", kind, p.HTTPGet.Port.String())
						continue
					}
					rs, ok := byPort[port]
					if !ok {
						t.Errorf("%s probe goes to port %d; %s listens on %v", kind, port, name, sortedKeys(byPort))
						continue
					}
					if !served(rs, p.HTTPGet.Path) {
						t.Errorf("%s probe GET %s on port %d: %s serves no such route there (it serves %v)", kind, p.HTTPGet.Path, port, name, sortedKeys(rs))
					}
					// A liveness probe that checks the database restarts
					// every pod in a loop while the database is down.
					if kind == "liveness" && strings.Contains(p.HTTPGet.Path, "readiness") {
						t.Errorf("liveness probe uses the readiness route %s", p.HTTPGet.Path)
					}
				}
				checked++
			})
		}
	}
	if checked != 2 {
		t.Fatalf("checked the probes of %d containers, want 2 (sales-api and metrics)", checked)
	}

	// Postgres is ready when pg_isready says so.
	db := find[*appsv1.StatefulSet](t, render(t, "dev/database"), "StatefulSet", "database")
	probe := db.Spec.Template.Spec.Containers[0].ReadinessProbe
	if probe == nil || probe.Exec == nil || len(probe.Exec.Command) == 0 || probe.Exec.Command[0] != "pg_isready" {
		t.Errorf("database readiness probe is %+v, want exec pg_isready", probe)
	}
}

func containerHasPort(c corev1.Container, port int32) bool {
	for _, p := range c.Ports {
		if p.ContainerPort == port {
			return true
		}
	}
	return false
}

// TestEnvVarsAreSettings checks every environment variable of the kit's
// containers against the settings its binary prints with --help, and that
// each value parses as the setting's type: conf ignores a variable it
// does not know, so a typo would silently leave the default in place.
func TestEnvVarsAreSettings(t *testing.T) {
	for name, objs := range map[string][]object{"dev": renderAll(t), "prod": render(t, "prod/sales")} {
		t.Run(name, func(t *testing.T) { checkEnvVars(t, objs) })
	}
}

func checkEnvVars(t *testing.T, objs []object) {
	bins := builtBinaries(t)
	cms := configMaps(objs)

	checked := 0
	for _, w := range workloads(objs) {
		all := append(append([]corev1.Container(nil), w.Pod.Spec.InitContainers...), w.Pod.Spec.Containers...)
		for _, c := range all {
			name := binaryOf(t, c)
			if name == "" {
				continue
			}
			t.Run(w.Name+"/"+c.Name, func(t *testing.T) {
				// sales-admin shares the service's ConfigMap with sales-api;
				// what it sets explicitly must be its own setting.
				shared := map[string]binary{}
				if name == "sales-admin" {
					shared["sales-api"] = bins["sales-api"]
				}
				explicit := make(map[string]bool)
				for _, e := range c.Env {
					explicit[e.Name] = true
				}
				for k, v := range containerEnv(t, c, cms) {
					bin, owner := bins[name], name
					if api, ok := shared["sales-api"]; ok && !explicit[k] {
						if _, mine := bin.Settings[k]; !mine {
							bin, owner = api, "sales-api"
						}
					}
					if err := checkSetting(bin, k, v); err != nil {
						t.Errorf("%s (%s): %v", k, owner, err)
					}
				}
				for _, e := range c.Env {
					if isSecret(bins[name], e.Name) && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
						t.Errorf("%s is a masked setting of %s but does not come from a Secret", e.Name, name)
					}
				}
				for _, from := range c.EnvFrom {
					if from.ConfigMapRef == nil {
						continue
					}
					for k := range cms[from.ConfigMapRef.Name].Data {
						if isSecret(bins[name], k) {
							t.Errorf("%s is a masked setting of %s but is in ConfigMap %s", k, name, from.ConfigMapRef.Name)
						}
					}
				}
				checked++
			})
		}
	}
	if checked < 3 {
		t.Fatalf("checked %d containers, want the init containers, sales-api and metrics", checked)
	}
}

// goRuntime are the variables Go's runtime reads in every binary.
var goRuntime = map[string]bool{"GOMEMLIMIT": true, "GOGC": true, "GOMAXPROCS": true, "GODEBUG": true, "GOTRACEBACK": true}

// checkSetting says why name=value is not a valid setting of bin.
func checkSetting(bin binary, name, value string) error {
	if goRuntime[name] {
		return nil
	}
	if !strings.HasPrefix(name, bin.Prefix) {
		return fmt.Errorf("not a %s* variable", bin.Prefix)
	}
	s, ok := bin.Settings[name]
	if !ok {
		return fmt.Errorf("not a setting (--help lists %v)", sortedKeys(bin.Settings))
	}
	if value == "" {
		// From a Secret or the downward API: nothing to parse here.
		return nil
	}
	var err error
	switch s.Type {
	case "int":
		_, err = strconv.Atoi(value)
	case "bool":
		_, err = strconv.ParseBool(value)
	case "duration":
		_, err = time.ParseDuration(value)
	case "float":
		_, err = strconv.ParseFloat(value, 64)
	}
	if err != nil {
		return fmt.Errorf("value %q is not a %s: %w", value, s.Type, err)
	}
	return nil
}

// isSecret reports whether --help masks the setting's default.
func isSecret(bin binary, name string) bool {
	s, ok := bin.Settings[name]
	return ok && s.Default != "" && strings.Trim(s.Default, "x") == ""
}

// TestShutdownFitsGracePeriod checks that the kubelet waits longer than the
// binaries' own shutdown takes before it kills them: the preStop sleep,
// then the drain delay and the shutdown timeout. A preStop sleep must
// equal the container's drain delay, as the manifests say.
func TestShutdownFitsGracePeriod(t *testing.T) {
	bins := builtBinaries(t)
	objs := render(t, "dev/sales")
	cms := configMaps(objs)
	timeouts := map[string]string{"sales-api": "SALES_WEB_SHUTDOWN_TIMEOUT", "metrics": "METRICS_WEB_SHUTDOWN_TIMEOUT"}
	delays := map[string]string{"sales-api": "SALES_WEB_SHUTDOWN_DELAY"}

	setting := func(c corev1.Container, name, key string) time.Duration {
		if key == "" {
			return 0
		}
		d, err := time.ParseDuration(settingValue(t, bins[name], containerEnv(t, c, cms), key))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	for _, w := range workloads(objs) {
		grace := 30 * time.Second // Kubernetes' default
		if g := w.Pod.Spec.TerminationGracePeriodSeconds; g != nil {
			grace = time.Duration(*g) * time.Second
		}
		for _, c := range w.Pod.Spec.Containers {
			name := binaryOf(t, c)
			if name == "" {
				continue
			}
			var preStop time.Duration
			if lc := c.Lifecycle; lc != nil && lc.PreStop != nil && lc.PreStop.Sleep != nil {
				preStop = time.Duration(lc.PreStop.Sleep.Seconds) * time.Second
			}
			delay := setting(c, name, delays[name])
			timeout := setting(c, name, timeouts[name])
			if preStop != delay {
				t.Errorf("%s/%s: preStop sleeps %v but %s is %v: they must match", w.Name, c.Name, preStop, delays[name], delay)
			}
			if total := preStop + delay + timeout; total >= grace {
				t.Errorf("%s/%s: preStop %v + drain delay %v + %s %v = %v, not shorter than terminationGracePeriodSeconds %v",
					w.Name, c.Name, preStop, delay, timeouts[name], timeout, total, grace)
			}
		}
	}
}

// TestImagesMatchMakefile checks that the dev cluster runs exactly the
// images the makefile builds, loads and pins.
func TestImagesMatchMakefile(t *testing.T) {
	images := makefileImages(t)
	want := make(map[string]bool)
	for _, img := range images {
		want[img] = true
	}

	got := make(map[string]bool)
	for _, w := range workloads(renderAll(t)) {
		for _, c := range append(append([]corev1.Container(nil), w.Pod.Spec.InitContainers...), w.Pod.Spec.Containers...) {
			got[c.Image] = true
		}
	}
	if diff := cmp.Diff(sortedKeys(want), sortedKeys(got)); diff != "" {
		t.Errorf("images of the dev overlays differ from the makefile's *_IMAGE (-makefile +overlays):\n%s", diff)
	}

	// The sales pod runs the images the makefile builds.
	d := find[*appsv1.Deployment](t, render(t, "dev/sales"), "Deployment", "sales")
	byName := make(map[string]string)
	for _, c := range append(append([]corev1.Container(nil), d.Spec.Template.Spec.InitContainers...), d.Spec.Template.Spec.Containers...) {
		byName[c.Name] = c.Image
	}
	wantByName := map[string]string{
		"init-migrate": images["SALES_IMAGE"],
		"init-seed":    images["SALES_IMAGE"],
		"sales-api":    images["SALES_IMAGE"],
		"metrics":      images["METRICS_IMAGE"],
	}
	if diff := cmp.Diff(wantByName, byName); diff != "" {
		t.Errorf("containers of the sales Deployment (-want +got):\n%s", diff)
	}
}

// TestReferencesResolve checks that every ConfigMap and Secret a pod
// refers to exists in the dev cluster: a missing one keeps the pod in
// CreateContainerConfigError. The signing keys are the one exception: no
// key is committed, so `make dev-apply` makes that Secret from zarf/keys.
func TestReferencesResolve(t *testing.T) {
	const madeByMake = "sales-keys"
	if !strings.Contains(string(readRepoFile(t, "makefile")), "create secret generic "+madeByMake) {
		t.Errorf("the makefile does not create Secret %s, which the sales pod mounts", madeByMake)
	}

	objs := renderAll(t)
	have := map[string]bool{"Secret/" + madeByMake: true}
	for _, o := range objs {
		have[o.Kind+"/"+o.Name] = true
	}

	for _, w := range workloads(objs) {
		var refs []string
		spec := w.Pod.Spec
		for _, v := range spec.Volumes {
			switch {
			case v.ConfigMap != nil:
				refs = append(refs, "ConfigMap/"+v.ConfigMap.Name)
			case v.Secret != nil:
				refs = append(refs, "Secret/"+v.Secret.SecretName)
			}
		}
		for _, c := range append(append([]corev1.Container(nil), spec.InitContainers...), spec.Containers...) {
			for _, from := range c.EnvFrom {
				if from.ConfigMapRef != nil {
					refs = append(refs, "ConfigMap/"+from.ConfigMapRef.Name)
				}
				if from.SecretRef != nil {
					refs = append(refs, "Secret/"+from.SecretRef.Name)
				}
			}
			for _, e := range c.Env {
				if e.ValueFrom == nil {
					continue
				}
				if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
					refs = append(refs, "ConfigMap/"+r.Name)
				}
				if r := e.ValueFrom.SecretKeyRef; r != nil {
					refs = append(refs, "Secret/"+r.Name)
					if !secretHasKey(objs, r.Name, r.Key) && r.Name != madeByMake {
						t.Errorf("%s %s: Secret %s has no key %q", w.Kind, w.Name, r.Name, r.Key)
					}
				}
			}
		}
		for _, r := range refs {
			if !have[r] {
				t.Errorf("%s %s refers to %s, which no dev overlay renders", w.Kind, w.Name, r)
			}
		}
	}
}

func secretHasKey(objs []object, name, key string) bool {
	for _, o := range objs {
		if s, ok := o.Obj.(*corev1.Secret); ok && s.Name == name {
			_, inData := s.Data[key]
			_, inString := s.StringData[key]
			return inData || inString
		}
	}
	return false
}

// endpoint is where a host:port inside the cluster lands.
type endpoint struct {
	Workload, Container string
	Port                int32
}

// resolveAddr follows host:port through a Service of the dev cluster to the
// container and port that answer it.
func resolveAddr(objs []object, hostport string) (endpoint, error) {
	host, portStr, err := net.SplitHostPort(hostport)
	if err != nil {
		return endpoint{}, err
	}
	port, err := strconv.ParseInt(portStr, 10, 32)
	if err != nil {
		return endpoint{}, err
	}
	// Short names and <svc>.<ns>[.svc.cluster.local] both resolve.
	name, rest, _ := strings.Cut(host, ".")
	if rest != "" && !strings.HasPrefix(rest+".", namespace+".") {
		return endpoint{}, fmt.Errorf("host %s is not in namespace %s", host, namespace)
	}

	for _, o := range objs {
		svc, ok := o.Obj.(*corev1.Service)
		if !ok || svc.Name != name {
			continue
		}
		for _, sp := range svc.Spec.Ports {
			if sp.Port != int32(port) {
				continue
			}
			target := sp.TargetPort
			if target.Type == intstr.Int && target.IntVal == 0 {
				target = intstr.FromInt32(sp.Port)
			}
			for _, w := range workloads(objs) {
				if !selects(svc.Spec.Selector, w.Pod.Labels) {
					continue
				}
				for _, c := range w.Pod.Spec.Containers {
					if p, ok := resolvePort(c, target); ok && containerHasPort(c, p) {
						return endpoint{w.Name, c.Name, p}, nil
					}
				}
			}
			return endpoint{}, fmt.Errorf("Service %s port %d targets %s, which no selected container declares", name, port, target.String())
		}
		return endpoint{}, fmt.Errorf("Service %s has no port %d", name, port)
	}
	return endpoint{}, fmt.Errorf("no Service %q", name)
}

// TestServicePortsAreUnique checks what the API server would reject on
// apply and a strict decode cannot see: two ports of one Service with the
// same number, name or nodePort.
func TestServicePortsAreUnique(t *testing.T) {
	for _, o := range renderAll(t) {
		svc, ok := o.Obj.(*corev1.Service)
		if !ok {
			continue
		}
		seen := make(map[string]bool)
		for _, p := range svc.Spec.Ports {
			keys := []string{"port " + strconv.Itoa(int(p.Port)), "name " + p.Name}
			if p.NodePort != 0 {
				keys = append(keys, "nodePort "+strconv.Itoa(int(p.NodePort)))
			}
			for _, k := range keys {
				if seen[k] {
					t.Errorf("Service %s: %s twice", svc.Name, k)
				}
				seen[k] = true
			}
		}
	}
}

func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// TestAddressesReachTheirServers follows every address the kit's config
// names (the API's database and Tempo, the sales Service's ports,
// Prometheus' scrape targets, Grafana's data sources) to the container that
// must answer it.
func TestAddressesReachTheirServers(t *testing.T) {
	bins := builtBinaries(t)
	objs := renderAll(t)
	cms := configMaps(objs)

	d := find[*appsv1.Deployment](t, objs, "Deployment", "sales")
	var apiEnv, metricsEnv map[string]string
	for _, c := range d.Spec.Template.Spec.Containers {
		switch binaryOf(t, c) {
		case "sales-api":
			apiEnv = containerEnv(t, c, cms)
		case "metrics":
			metricsEnv = containerEnv(t, c, cms)
		}
	}
	if apiEnv == nil || metricsEnv == nil {
		t.Fatal("the sales Deployment has no sales-api or no metrics container")
	}
	setting := func(bin string, env map[string]string, name string) string {
		return settingValue(t, bins[bin], env, name)
	}
	apiPort := portOf(t, setting("sales-api", apiEnv, "SALES_WEB_API_HOST"))
	debugPort := portOf(t, setting("sales-api", apiEnv, "SALES_WEB_DEBUG_HOST"))
	metricsPort := portOf(t, setting("metrics", metricsEnv, "METRICS_WEB_METRICS_HOST"))

	type want struct {
		what, addr string
		to         endpoint
	}
	wants := []want{
		{"SALES_DB_HOST", setting("sales-api", apiEnv, "SALES_DB_HOST"), endpoint{"database", "postgres", 5432}},
		{"SALES_TEMPO_HOST", setting("sales-api", apiEnv, "SALES_TEMPO_HOST"), endpoint{"tempo", "tempo", 4317}},
		// The Service exposes the API and metrics ports; the debug port
		// only the dev cluster's own Service does.
		{"sales-service API", "sales-service:3000", endpoint{"sales", "sales-api", apiPort}},
		{"sales-service metrics", "sales-service:4000", endpoint{"sales", "metrics", metricsPort}},
		{"sales-debug (dev only)", "sales-debug:3010", endpoint{"sales", "sales-api", debugPort}},
	}
	for _, target := range prometheusTargets(t) {
		wants = append(wants, want{"prometheus target", target, endpoint{"sales", "metrics", metricsPort}})
	}
	for _, ds := range grafanaDatasources(t) {
		u, err := url.Parse(ds.URL)
		if err != nil {
			t.Fatalf("data source %s: %v", ds.Name, err)
		}
		to := map[string]endpoint{
			"prometheus": {"prometheus", "prometheus", 9090},
			"tempo":      {"tempo", "tempo", 3200},
		}[ds.Type]
		wants = append(wants, want{"grafana data source " + ds.Name, u.Host, to})
	}

	for _, w := range wants {
		got, err := resolveAddr(objs, w.addr)
		if err != nil {
			t.Errorf("%s %s: %v", w.what, w.addr, err)
			continue
		}
		if diff := cmp.Diff(w.to, got); diff != "" {
			t.Errorf("%s %s lands elsewhere (-want +got):\n%s", w.what, w.addr, diff)
		}
	}

	// The sidecar reads the API over the pod's loopback, from routes the
	// API's debug port serves.
	debugRoutes := routes(t, "app/sdk/debug", "Mux")
	for _, name := range []string{"METRICS_COLLECT_FROM", "METRICS_COLLECT_READY"} {
		u, err := url.Parse(setting("metrics", metricsEnv, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1" {
			t.Errorf("%s = %s: the sidecar should read its own pod's API on localhost", name, u)
		}
		if portOf(t, u.Host) != debugPort || !served(debugRoutes, u.Path) {
			t.Errorf("%s = %s: sales-api serves no such route on its debug port %d", name, u, debugPort)
		}
	}
}

// prometheusTargets returns the static scrape targets of
// zarf/prometheus/prometheus.yml.
func prometheusTargets(t *testing.T) []string {
	t.Helper()
	var cfg struct {
		ScrapeConfigs []struct {
			StaticConfigs []struct {
				Targets []string `json:"targets"`
			} `json:"static_configs"`
		} `json:"scrape_configs"`
	}
	if err := yaml.Unmarshal(readRepoFile(t, "zarf/prometheus/prometheus.yml"), &cfg); err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, sc := range cfg.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			targets = append(targets, st.Targets...)
		}
	}
	if len(targets) == 0 {
		t.Fatal("zarf/prometheus/prometheus.yml scrapes nothing")
	}
	return targets
}

type datasource struct {
	Name string `json:"name"`
	Type string `json:"type"`
	URL  string `json:"url"`
}

// grafanaDatasources returns the data sources Grafana is provisioned with.
func grafanaDatasources(t *testing.T) []datasource {
	t.Helper()
	var cfg struct {
		Datasources []datasource `json:"datasources"`
	}
	if err := yaml.Unmarshal(readRepoFile(t, "zarf/grafana/provisioning/datasources/datasources.yml"), &cfg); err != nil {
		t.Fatal(err)
	}
	types := make(map[string]bool)
	for _, ds := range cfg.Datasources {
		types[ds.Type] = true
	}
	if !types["prometheus"] || !types["tempo"] {
		t.Fatalf("Grafana's data sources are %v, want prometheus and tempo", cfg.Datasources)
	}
	return cfg.Datasources
}
