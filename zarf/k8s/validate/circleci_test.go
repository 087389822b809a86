package validate

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// TestCircleCIRunsEveryCheck reads .circleci/config.yml (no CircleCI CLI
// here) and checks that the workflow runs every job the kit needs and that
// the test job gives `make test` its Postgres.
func TestCircleCIRunsEveryCheck(t *testing.T) {
	var cfg struct {
		Version   any            `json:"version"`
		Executors map[string]any `json:"executors"`
		Jobs      map[string]struct {
			Executor string `json:"executor"`
			Docker   []struct {
				Image       string            `json:"image"`
				Environment map[string]string `json:"environment"`
			} `json:"docker"`
			Environment map[string]string `json:"environment"`
			Steps       []any             `json:"steps"`
		} `json:"jobs"`
		Workflows map[string]struct {
			Jobs []any `json:"jobs"`
		} `json:"workflows"`
	}
	if err := yaml.UnmarshalStrict(readRepoFile(t, ".circleci/config.yml"), &cfg); err != nil {
		t.Fatalf(".circleci/config.yml: %v", err)
	}

	var run []string
	for _, wf := range cfg.Workflows {
		for _, j := range wf.Jobs {
			switch j := j.(type) {
			case string:
				run = append(run, j)
			case map[string]any:
				for name := range j {
					run = append(run, name)
				}
			}
		}
	}
	for _, name := range run {
		if _, ok := cfg.Jobs[name]; !ok {
			t.Errorf("the workflow runs job %q, which is not defined", name)
		}
	}
	want := []string{"build-images", "lint", "test", "validate-manifests"}
	if diff := cmp.Diff(want, sortedStrings(run)); diff != "" {
		t.Errorf("workflow jobs (-want +got):\n%s", diff)
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
