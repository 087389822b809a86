package validate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// makeInRepo runs make with args at the repository's root, as its own
// invocation: whatever make runs this test (make test) passes nothing down.
func makeInRepo(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"--no-print-directory"}, args...)...)
	cmd.Dir = repoRoot(t)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name != "MAKEFLAGS" && name != "MFLAGS" && name != "MAKELEVEL" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd.CombinedOutput()
}

// TestMakeRelease runs make release for a version no release has, for this
// machine's platform and sales-api alone (every binary for every platform
// takes minutes), into a temporary DIST, and checks what a release
// publishes: checksums of every file, a binary that says its version,
// commit and build date, and a bundle that is the production overlay with
// its images pinned to the version and nothing else changed.
func TestMakeRelease(t *testing.T) {
	const (
		version  = "v0.0.0-validate"
		registry = "registry.example.com/team"
	)
	vars := makefileVars(t)
	project := vars["PROJECT"]
	dist := t.TempDir()
	platform := runtime.GOOS + "/" + runtime.GOARCH
	start := time.Now().UTC().Truncate(time.Second)

	// The commit stamped: HEAD's, or one given when the tree is no git
	// checkout (a renamed copy of it, as make test-rename makes).
	args := []string{"release", "VERSION=" + version, "DIST=" + dist, "REGISTRY=" + registry,
		"RELEASE_PLATFORMS=" + platform, "RELEASE_BINARIES=sales-api"}
	commit := "0123456789ab"
	if head, err := exec.Command("git", "-C", repoRoot(t), "rev-parse", "--short=12", "HEAD").Output(); err == nil {
		commit = strings.TrimSpace(string(head))
	} else {
		args = append(args, "COMMIT="+commit)
	}
	out, err := makeInRepo(t, args...)
	if err != nil {
		t.Fatalf("make release: %v\n%s", err, out)
	}

	binary := "sales-api-" + version + "-" + runtime.GOOS + "-" + runtime.GOARCH
	bundleFile := project + "-" + version + ".yaml"
	sumsFile := project + "-" + version + "-SHA256SUMS"

	t.Run("checksums cover every file", func(t *testing.T) {
		entries, err := os.ReadDir(dist)
		if err != nil {
			t.Fatal(err)
		}
		var files []string
		for _, e := range entries {
			files = append(files, e.Name())
		}
		if diff := cmp.Diff(sortedStrings([]string{binary, bundleFile, sumsFile}), files); diff != "" {
			t.Errorf("files in DIST (-want +got):\n%s", diff)
		}

		sums, err := os.ReadFile(filepath.Join(dist, sumsFile))
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		for line := range strings.SplitSeq(strings.TrimSpace(string(sums)), "\n") {
			sum, name, ok := strings.Cut(line, "  ")
			if !ok {
				t.Fatalf("%s: line %q is not sha256sum's", sumsFile, line)
			}
			listed = append(listed, name)
			data, err := os.ReadFile(filepath.Join(dist, name))
			if err != nil {
				t.Fatal(err)
			}
			if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != sum {
				t.Errorf("%s: the checksum of %s is not its content's", sumsFile, name)
			}
		}
		if diff := cmp.Diff(sortedStrings([]string{binary, bundleFile}), sortedStrings(listed)); diff != "" {
			t.Errorf("files the checksums list (-want +got):\n%s", diff)
		}
	})

	t.Run("the binary says its version, commit and build date", func(t *testing.T) {
		got, err := exec.Command(filepath.Join(dist, binary), "--version").Output()
		if err != nil {
			t.Fatalf("%s --version: %v", binary, err)
		}
		line := regexp.MustCompile(`^Version: (\S+) \(commit (\S+?)(-dirty)?, built (\S+)\)\n`)
		m := line.FindStringSubmatch(string(got))
		if m == nil {
			t.Fatalf("%s --version = %q, want Version: <version> (commit <commit>, built <date>)", binary, got)
		}
		if m[1] != version {
			t.Errorf("version %q, want %q", m[1], version)
		}
		if m[2] != commit {
			t.Errorf("commit %q, want %q", m[2], commit)
		}
		built, err := time.Parse(time.RFC3339, m[4])
		if err != nil || built.Before(start) || built.After(time.Now()) {
			t.Errorf("built %q (%v), want the time make release ran, from %s", m[4], err, start.Format(time.RFC3339))
		}
	})

	t.Run("the bundle is the production overlay, pinned", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(dist, bundleFile))
		if err != nil {
			t.Fatal(err)
		}
		var got []object
		for doc := range strings.SplitSeq(string(raw), "\n---\n") {
			obj, err := decodeStrict([]byte(doc))
			if err != nil {
				t.Fatalf("%s: %v", bundleFile, err)
			}
			got = append(got, obj)
		}

		// Namespaces first: one kubectl apply -f on an empty cluster works.
		for i, o := range got {
			for _, before := range got[:i] {
				if before.Kind != "Namespace" && o.Kind == "Namespace" && before.Namespace == o.Name {
					t.Errorf("%s comes after %s, which is in it", o, before)
				}
			}
		}

		// The kit's images, every one at the version under the registry, in
		// every pod template whatever its kind.
		images := makefileImages(t)
		repos := []string{imageRepo(images["SALES_IMAGE"]), imageRepo(images["METRICS_IMAGE"])}
		gotObjs := asMaps(t, got)
		var seen []string
		for id, obj := range gotObjs {
			for _, c := range podContainers(obj) {
				image, _ := c["image"].(string)
				repo, tag, _ := strings.Cut(strings.TrimPrefix(image, registry+"/"), ":")
				if !strings.HasPrefix(image, registry+"/") || !slices.Contains(repos, repo) || tag != version {
					t.Errorf("%s: container %v runs %s, want one of %v under %s at %s", id, c["name"], image, repos, registry, version)
				}
				seen = append(seen, repo)
			}
		}
		if diff := cmp.Diff(sortedStrings(repos), slices.Compact(sortedStrings(seen))); diff != "" {
			t.Errorf("the kit's images the bundle runs (-want +got):\n%s", diff)
		}
		if m := regexp.MustCompile(`(?i)\bseed\b.*`).Find(raw); m != nil {
			t.Errorf("%s mentions seed (%q): production never seeds", bundleFile, m)
		}

		// Everything else as the overlay renders it.
		wantObjs := asMaps(t, render(t, "prod/sales"))
		for _, obj := range wantObjs {
			for _, c := range podContainers(obj) {
				image, _ := c["image"].(string)
				c["image"] = registry + "/" + imageRepo(image) + ":" + version
			}
		}
		if diff := cmp.Diff(wantObjs, gotObjs); diff != "" {
			t.Errorf("the bundle differs from the production overlay beyond its images (-overlay +bundle):\n%s", diff)
		}
	})
}

// asMaps returns the objects as generic JSON, by kind, namespace and name.
func asMaps(t *testing.T, objs []object) map[string]map[string]any {
	t.Helper()
	m := make(map[string]map[string]any)
	for _, o := range objs {
		data, err := json.Marshal(o.Obj)
		if err != nil {
			t.Fatal(err)
		}
		var obj map[string]any
		if err := json.Unmarshal(data, &obj); err != nil {
			t.Fatal(err)
		}
		m[o.String()] = obj
	}
	return m
}

// podContainers returns every container and init container anywhere in
// obj, where kustomize's images: override looks for them.
func podContainers(obj any) []map[string]any {
	var cs []map[string]any
	switch v := obj.(type) {
	case map[string]any:
		for k, child := range v {
			list, isList := child.([]any)
			if (k == "containers" || k == "initContainers") && isList {
				for _, c := range list {
					if c, ok := c.(map[string]any); ok {
						cs = append(cs, c)
					}
				}
				continue
			}
			cs = append(cs, podContainers(child)...)
		}
	case []any:
		for _, child := range v {
			cs = append(cs, podContainers(child)...)
		}
	}
	return cs
}

// TestMakeReleaseRefuses: a release's version is its images' tag and what
// the binaries report, so make release takes a semantic version only,
// before building anything.
func TestMakeReleaseRefuses(t *testing.T) {
	for _, version := range []string{"latest", "v1.2", "1.2.3", "v1.2.3+build.5", "0ab8adf-dirty", "v1.2.3-4-g0ab8adf41c2e-dirty/x"} {
		t.Run(version, func(t *testing.T) {
			dist := t.TempDir()
			out, err := makeInRepo(t, "release", "VERSION="+version, "DIST="+dist)
			if err == nil {
				t.Fatalf("make release VERSION=%s succeeded:\n%s", version, out)
			}
			if !bytes.Contains(out, []byte("make release needs VERSION=")) {
				t.Errorf("make release VERSION=%s failed otherwise than on its version:\n%s", version, out)
			}
			if entries, _ := os.ReadDir(dist); len(entries) > 0 {
				t.Errorf("make release VERSION=%s left %d files in DIST", version, len(entries))
			}
		})
	}
}
