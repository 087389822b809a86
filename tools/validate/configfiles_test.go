package validate

import (
	"path"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// mountedFiles returns the files a container sees from ConfigMap volumes,
// by absolute path.
func mountedFiles(t *testing.T, pod corev1.PodSpec, c corev1.Container, cms map[string]*corev1.ConfigMap) map[string]string {
	t.Helper()
	files := make(map[string]string)
	for _, m := range c.VolumeMounts {
		for _, v := range pod.Volumes {
			if v.Name != m.Name || v.ConfigMap == nil {
				continue
			}
			cm, ok := cms[v.ConfigMap.Name]
			if !ok {
				t.Fatalf("volume %s: ConfigMap %s is not rendered", v.Name, v.ConfigMap.Name)
			}
			for k, data := range cm.Data {
				files[path.Join(m.MountPath, k)] = data
			}
		}
	}
	return files
}

// argValue returns the value of a -flag=value or --flag=value argument.
func argValue(args []string, flag string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(strings.TrimLeft(a, "-"), flag+"="); ok {
			return v
		}
	}
	return ""
}

// TestConfigFilesAreWhereTheyAreRead checks that Prometheus, Tempo and
// Grafana find the canonical config files at the paths they read them
// from, byte for byte: a wrong mount path or key name leaves a process
// running on its built-in defaults.
func TestConfigFilesAreWhereTheyAreRead(t *testing.T) {
	canonical := func(p string) string { return string(readRepoFile(t, p)) }

	tests := []struct {
		overlay, workload string
		// files maps the path the process reads to the canonical file.
		files func(c corev1.Container) map[string]string
	}{
		{
			overlay: "dev/prometheus", workload: "prometheus",
			files: func(c corev1.Container) map[string]string {
				files := map[string]string{argValue(c.Args, "config.file"): "zarf/prometheus/prometheus.yml"}
				var cfg struct {
					RuleFiles []string `json:"rule_files"`
				}
				if err := yaml.Unmarshal(readRepoFile(t, "zarf/prometheus/prometheus.yml"), &cfg); err != nil {
					t.Fatal(err)
				}
				for _, rf := range cfg.RuleFiles {
					files[rf] = "zarf/prometheus/" + path.Base(rf)
				}
				return files
			},
		},
		{
			overlay: "dev/tempo", workload: "tempo",
			files: func(c corev1.Container) map[string]string {
				return map[string]string{argValue(c.Args, "config.file"): "zarf/tempo/tempo.yaml"}
			},
		},
		{
			overlay: "dev/grafana", workload: "grafana",
			files: func(c corev1.Container) map[string]string {
				var provider struct {
					Providers []struct {
						Options struct {
							Path string `json:"path"`
						} `json:"options"`
					} `json:"providers"`
				}
				if err := yaml.Unmarshal(readRepoFile(t, "zarf/grafana/provisioning/dashboards/dashboards.yml"), &provider); err != nil {
					t.Fatal(err)
				}
				if len(provider.Providers) == 0 {
					t.Fatal("zarf/grafana/provisioning/dashboards/dashboards.yml has no providers")
				}
				return map[string]string{
					"/etc/grafana/provisioning/datasources/datasources.yml":         "zarf/grafana/provisioning/datasources/datasources.yml",
					"/etc/grafana/provisioning/dashboards/dashboards.yml":           "zarf/grafana/provisioning/dashboards/dashboards.yml",
					path.Join(provider.Providers[0].Options.Path, "sales-api.json"): "zarf/grafana/dashboards/sales-api.json",
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.workload, func(t *testing.T) {
			objs := render(t, tt.overlay)
			cms := configMaps(objs)
			for _, w := range workloads(objs) {
				if w.Name != tt.workload {
					continue
				}
				c := w.Pod.Spec.Containers[0]
				mounted := mountedFiles(t, w.Pod.Spec, c, cms)
				for at, file := range tt.files(c) {
					got, ok := mounted[at]
					if !ok {
						t.Errorf("%s reads %s, but no ConfigMap is mounted there (mounted: %v)", tt.workload, at, sortedKeys(mounted))
						continue
					}
					if got != canonical(file) {
						t.Errorf("%s: %s is not the content of %s", tt.workload, at, file)
					}
				}
				return
			}
			t.Fatalf("no workload %s in %s", tt.workload, tt.overlay)
		})
	}
}
