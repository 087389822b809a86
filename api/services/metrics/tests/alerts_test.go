package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v4"
)

// promDir holds the Prometheus config, the alert rules and their tests.
var promDir = filepath.Join("..", "..", "..", "..", "zarf", "prometheus")

// TestAlertRules runs Prometheus' own checker and unit tests on the alert
// rules, and checks that every alert has a test where it fires and one
// where it stays quiet. promtool comes with the distribution's prometheus
// package, which .ci/run installs; elsewhere the test is skipped without
// it, saying how to get it.
func TestAlertRules(t *testing.T) {
	alerts, tested := alertNames(t), alertTests(t)
	for _, name := range alerts {
		cases := tested[name]
		if !slices.Contains(cases, true) {
			t.Errorf("alert %s has no test where it fires, in alerts_test.yml", name)
		}
		if !slices.Contains(cases, false) {
			t.Errorf("alert %s has no test where it stays quiet, in alerts_test.yml", name)
		}
	}
	for name := range tested {
		if !slices.Contains(alerts, name) {
			t.Errorf("alerts_test.yml tests %s, which alerts.yml does not have", name)
		}
	}

	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool is missing: .ci/run installs the prometheus package, which has it")
		}
		t.Skip("promtool is missing: install the prometheus package (apt-get install prometheus) to run the rules' tests")
	}
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = promDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %v: %v\n%s", args, err, out)
		}
	}
}

// alertNames lists the alerts of alerts.yml.
func alertNames(t *testing.T) []string {
	t.Helper()
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	readYAML(t, "alerts.yml", &rules)
	var names []string
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				names = append(names, r.Alert)
			}
		}
	}
	if len(names) == 0 {
		t.Fatal("alerts.yml has no alert")
	}
	return names
}

// alertTests maps each alert tested in alerts_test.yml to its cases: true
// for one where it is expected to fire, false for one where it is not.
func alertTests(t *testing.T) map[string][]bool {
	t.Helper()
	var file struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string `yaml:"alertname"`
				ExpAlerts []any  `yaml:"exp_alerts"`
			} `yaml:"alert_rule_test"`
		} `yaml:"tests"`
	}
	readYAML(t, "alerts_test.yml", &file)
	out := make(map[string][]bool)
	for _, test := range file.Tests {
		for _, c := range test.AlertRuleTest {
			out[c.Alertname] = append(out[c.Alertname], len(c.ExpAlerts) > 0)
		}
	}
	return out
}

func readYAML(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(promDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// TestFleetPrometheusConfig keeps the fleet's Prometheus config like the
// cluster's: the same scrape settings and rules, only the target differs
// (the sidecar on loopback). promtool checks it where it is installed.
func TestFleetPrometheusConfig(t *testing.T) {
	type config struct {
		Global        map[string]any `yaml:"global"`
		RuleFiles     []string       `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string          `yaml:"targets"`
				Labels  map[string]string `yaml:"labels"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	var cluster, fleet config
	readYAML(t, "prometheus.yml", &cluster)
	readYAML(t, "fleet.yml", &fleet)

	if diff := cmp.Diff(cluster.Global, fleet.Global); diff != "" {
		t.Errorf("global (-cluster +fleet):\n%s", diff)
	}
	base := func(files []string) []string {
		var out []string
		for _, f := range files {
			out = append(out, filepath.Base(f))
		}
		return out
	}
	if diff := cmp.Diff(base(cluster.RuleFiles), base(fleet.RuleFiles)); diff != "" {
		t.Errorf("rule files (-cluster +fleet):\n%s", diff)
	}
	// The targets differ by design; the rest must not.
	for _, c := range []*config{&cluster, &fleet} {
		for i := range c.ScrapeConfigs {
			for j := range c.ScrapeConfigs[i].StaticConfigs {
				c.ScrapeConfigs[i].StaticConfigs[j].Targets = nil
			}
		}
	}
	if diff := cmp.Diff(cluster.ScrapeConfigs, fleet.ScrapeConfigs); diff != "" {
		t.Errorf("scrape configs (-cluster +fleet):\n%s", diff)
	}

	if promtool, err := exec.LookPath("promtool"); err == nil {
		cmd := exec.Command(promtool, "check", "config", "fleet.yml")
		cmd.Dir = promDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool check config fleet.yml: %v\n%s", err, out)
		}
	}
}
