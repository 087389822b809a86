package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// circleCI is the part of .circleci/config.yml the tests read, decoded
// strictly: a key this does not know fails them.
type circleCI struct {
	Version   any            `json:"version"`
	Executors map[string]any `json:"executors"`
	Commands  map[string]any `json:"commands"`
	Jobs      map[string]struct {
		Executor string `json:"executor"`
		// Machine is a VM with a Docker engine of its own (kind-e2e's).
		Machine *struct {
			Image string `json:"image"`
		} `json:"machine"`
		Docker []struct {
			Image       string            `json:"image"`
			Command     []string          `json:"command"`
			Environment map[string]string `json:"environment"`
		} `json:"docker"`
		Environment map[string]string `json:"environment"`
		Steps       []any             `json:"steps"`
	} `json:"jobs"`
	Workflows map[string]struct {
		Jobs []workflowJob `json:"jobs"`
	} `json:"workflows"`
}

// workflowJob is one entry of a workflow's jobs: a bare job name, or a
// name with its settings.
type workflowJob struct {
	Name     string
	Requires []string   `json:"requires"`
	Context  stringList `json:"context"`
	Filters  struct {
		Branches *ciFilter `json:"branches"`
		Tags     *ciFilter `json:"tags"`
	} `json:"filters"`
}

func (j *workflowJob) UnmarshalJSON(data []byte) error {
	if err := json.Unmarshal(data, &j.Name); err == nil {
		return nil
	}
	var named map[string]json.RawMessage
	if err := json.Unmarshal(data, &named); err != nil || len(named) != 1 {
		return fmt.Errorf("workflow job %s: want a name or one name with its settings", data)
	}
	for name, settings := range named {
		type plain workflowJob // without this method
		var p plain
		dec := json.NewDecoder(bytes.NewReader(settings))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return fmt.Errorf("workflow job %s: %w", name, err)
		}
		*j = workflowJob(p)
		j.Name = name
	}
	return nil
}

// ciFilter is a branches or tags filter: each value is a name, or a
// regular expression between slashes that must match the whole name.
type ciFilter struct {
	Only   stringList `json:"only"`
	Ignore stringList `json:"ignore"`
}

// stringList is a value CircleCI takes as one string or a list of them.
type stringList []string

func (l *stringList) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	return json.Unmarshal(data, (*[]string)(l))
}

// readCircleCI reads .circleci/config.yml (no CircleCI CLI here).
func readCircleCI(t *testing.T) circleCI {
	t.Helper()
	var cfg circleCI
	if err := yaml.UnmarshalStrict(readRepoFile(t, ".circleci/config.yml"), &cfg); err != nil {
		t.Fatalf(".circleci/config.yml: %v", err)
	}
	return cfg
}

// TestCircleCIRunsEveryCheck checks that the workflow runs every job the
// kit needs and that the test job gives `make test` its Postgres.
func TestCircleCIRunsEveryCheck(t *testing.T) {
	cfg := readCircleCI(t)

	var run []string
	for _, wf := range cfg.Workflows {
		for _, j := range wf.Jobs {
			run = append(run, j.Name)
		}
	}
	for _, name := range run {
		if _, ok := cfg.Jobs[name]; !ok {
			t.Errorf("the workflow runs job %q, which is not defined", name)
		}
	}
	want := []string{"build-images", "deploy-staging", "kind-e2e", "lint", "publish-release", "release-artifacts", "release-images", "test", "validate-manifests"}
	if diff := cmp.Diff(want, sortedStrings(run)); diff != "" {
		t.Errorf("workflow jobs (-want +got):\n%s", diff)
	}

	// Kind needs a Docker engine of its own: a machine executor.
	kind := cfg.Jobs["kind-e2e"]
	steps, _ := json.Marshal(kind.Steps)
	if kind.Machine == nil || !strings.Contains(string(steps), "make test-kind") || !strings.Contains(string(steps), "dev-apply") {
		t.Errorf("the kind-e2e job must run on a machine executor and run make dev-apply, then make test-kind")
	}

	test := cfg.Jobs["test"]
	if !strings.HasPrefix(test.Environment["SALES_TEST_DB_URL"], "postgres://") {
		t.Errorf("the test job sets no SALES_TEST_DB_URL, so make test would start its own Postgres")
	}
	hasPostgres := false
	for i, d := range test.Docker {
		// The first image is the job's own; the others are service containers.
		hasPostgres = hasPostgres || (i > 0 && strings.HasPrefix(d.Image, "postgres:"))
	}
	if !hasPostgres {
		t.Errorf("the test job has no Postgres service container")
	}
}

// ciRef is what a pipeline runs for: a push to a branch or a tag.
type ciRef struct{ kind, name string }

func (r ciRef) String() string { return r.kind + " " + r.name }

// ciRefs are the pushes the workflow graph is checked against.
var ciRefs = []ciRef{
	{"branch", "main"},
	{"branch", "feature/x"},
	{"tag", "v1.2.3"},
	{"tag", "v1.2.3-rc.1"},
	{"tag", "v1.2"},
	{"tag", "nightly"},
}

// TestCircleCIWorkflowGraph checks the workflow as CircleCI runs it, push
// by push: every requires names a job of the workflow, each job runs where
// it should (the release jobs on release tags only, staging on main only),
// a job runs only where everything it requires runs too (or CircleCI
// would never start it), and the test job comes before every job that
// gets credentials from a context.
func TestCircleCIWorkflowGraph(t *testing.T) {
	cfg := readCircleCI(t)
	wf, ok := cfg.Workflows["ci"]
	if !ok {
		t.Fatal("no workflow ci")
	}

	jobs := make(map[string]workflowJob)
	for _, j := range wf.Jobs {
		if _, dup := jobs[j.Name]; dup {
			t.Errorf("job %s is twice in the workflow", j.Name)
		}
		jobs[j.Name] = j
	}
	for _, j := range wf.Jobs {
		for _, r := range j.Requires {
			if _, ok := jobs[r]; !ok {
				t.Errorf("job %s requires %q, which is not in the workflow", j.Name, r)
			}
		}
	}

	runsOn := make(map[string][]string)
	for _, j := range wf.Jobs {
		for _, ref := range ciRefs {
			run, err := j.runs(ref)
			if err != nil {
				t.Fatalf("job %s: %v", j.Name, err)
			}
			if run {
				runsOn[j.Name] = append(runsOn[j.Name], ref.String())
			}
		}
	}
	var (
		everywhere = []string{"branch main", "branch feature/x", "tag v1.2.3", "tag v1.2.3-rc.1"}
		branches   = []string{"branch main", "branch feature/x"}
		tags       = []string{"tag v1.2.3", "tag v1.2.3-rc.1"}
	)
	want := map[string][]string{
		"lint":               everywhere,
		"test":               everywhere,
		"validate-manifests": everywhere,
		"build-images":       branches,
		"kind-e2e":           branches,
		"release-images":     tags,
		"release-artifacts":  tags,
		"publish-release":    tags,
		"deploy-staging":     {"branch main"},
	}
	if diff := cmp.Diff(want, runsOn); diff != "" {
		t.Errorf("where each job runs (-want +got):\n%s", diff)
	}

	for _, j := range wf.Jobs {
		for _, r := range j.Requires {
			for _, ref := range runsOn[j.Name] {
				if !slices.Contains(runsOn[r], ref) {
					t.Errorf("job %s runs on %s but requires %s, which does not: it would never start", j.Name, ref, r)
				}
			}
		}
		if len(j.Context) > 0 && !requiresJob(jobs, j.Name, "test", nil) {
			t.Errorf("job %s gets credentials (context %v) without requiring test, even indirectly", j.Name, j.Context)
		}
	}
}

// requiresJob reports whether job name needs job dep, directly or through
// the jobs it requires.
func requiresJob(jobs map[string]workflowJob, name, dep string, seen map[string]bool) bool {
	if seen == nil {
		seen = make(map[string]bool)
	}
	if seen[name] {
		return false
	}
	seen[name] = true
	for _, r := range jobs[name].Requires {
		if r == dep || requiresJob(jobs, r, dep, seen) {
			return true
		}
	}
	return false
}

// runs reports whether CircleCI runs the job for ref: on every branch
// unless its branches filter says otherwise, on a tag only when its tags
// filter admits it.
func (j workflowJob) runs(ref ciRef) (bool, error) {
	f := j.Filters.Branches
	if ref.kind == "tag" {
		f = j.Filters.Tags
		if f == nil {
			return false, nil
		}
	}
	if f == nil {
		return true, nil
	}
	switch {
	case len(f.Only) > 0 && len(f.Ignore) > 0:
		return false, fmt.Errorf("%s filter has both only and ignore: say one", ref.kind)
	case len(f.Only) > 0:
		return matchesAny(f.Only, ref.name)
	case len(f.Ignore) > 0:
		ignored, err := matchesAny(f.Ignore, ref.name)
		return !ignored, err
	}
	return ref.kind == "branch", nil
}

// matchesAny reports whether name is one of the filter's values.
func matchesAny(values []string, name string) (bool, error) {
	for _, v := range values {
		if len(v) > 1 && strings.HasPrefix(v, "/") && strings.HasSuffix(v, "/") {
			re, err := regexp.Compile(`^(?:` + v[1:len(v)-1] + `)$`)
			if err != nil {
				return false, fmt.Errorf("filter %s: %w", v, err)
			}
			if re.MatchString(name) {
				return true, nil
			}
		} else if v == name {
			return true, nil
		}
	}
	return false, nil
}

// TestCircleCIJobsGetOnlyTheirSecrets: each job that holds a context uses
// every secret in it, and every secret a job uses comes from its contexts,
// so a job compromised (a dependency's build script, say) holds only what
// it needed. A job uses a secret its commands name, or that a make target
// it runs reads.
func TestCircleCIJobsGetOnlyTheirSecrets(t *testing.T) {
	contexts := map[string][]string{
		"garagesale-registry": {"REGISTRY", "REGISTRY_USER", "REGISTRY_PASSWORD"},
		"garagesale-signing":  {"COSIGN_PRIVATE_KEY", "COSIGN_PASSWORD"},
		"garagesale-github":   {"GITHUB_TOKEN"},
		"garagesale-staging":  {"STAGING_KUBECONFIG"},
	}
	// What make targets read from the environment, besides their command
	// line (make release signs with the key; release-publish runs github.sh).
	targetSecrets := map[string][]string{
		"release":         {"COSIGN_PRIVATE_KEY", "COSIGN_PASSWORD"},
		"release-publish": {"GITHUB_TOKEN"},
	}
	cfg := readCircleCI(t)
	makeTarget := regexp.MustCompile(`\bmake\s+([^\n]*)`)

	for _, wj := range cfg.Workflows["ci"].Jobs {
		job := cfg.Jobs[wj.Name]
		text := stepsText(t, cfg, job.Steps)
		used := map[string]bool{}
		for _, secrets := range contexts {
			for _, s := range secrets {
				if strings.Contains(text, "$"+s) || strings.Contains(text, "${"+s) {
					used[s] = true
				}
			}
		}
		for _, m := range makeTarget.FindAllStringSubmatch(text, -1) {
			for _, word := range strings.Fields(m[1]) {
				for _, s := range targetSecrets[word] {
					used[s] = true
				}
			}
		}
		given := map[string]bool{}
		for _, c := range wj.Context {
			secrets, ok := contexts[c]
			if !ok {
				t.Errorf("job %s: context %s is not one of the documented ones", wj.Name, c)
			}
			for _, s := range secrets {
				given[s] = true
				if !used[s] {
					t.Errorf("job %s gets %s (context %s) and does not use it", wj.Name, s, c)
				}
			}
		}
		for s := range used {
			if !given[s] {
				t.Errorf("job %s uses %s, which none of its contexts give", wj.Name, s)
			}
		}
	}
}

// stepsText is the text of every command a job's steps run, with the
// config's own commands (registry-login) expanded.
func stepsText(t *testing.T, cfg circleCI, steps []any) string {
	t.Helper()
	var b strings.Builder
	for _, step := range steps {
		switch s := step.(type) {
		case string:
			if cmd, ok := cfg.Commands[s].(map[string]any); ok {
				inner, _ := cmd["steps"].([]any)
				b.WriteString(stepsText(t, cfg, inner))
			}
		case map[string]any:
			for name, body := range s {
				if name == "run" {
					switch r := body.(type) {
					case string:
						b.WriteString(r + "\n")
					case map[string]any:
						cmd, _ := r["command"].(string)
						b.WriteString(cmd + "\n")
					}
					continue
				}
				if cmd, ok := cfg.Commands[name].(map[string]any); ok {
					inner, _ := cmd["steps"].([]any)
					b.WriteString(stepsText(t, cfg, inner))
				}
			}
		}
	}
	return b.String()
}
