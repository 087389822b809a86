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
// takes minutes), into a temporary DIST, with the digests release-push
// would have recorded and a throwaway signing key, and checks what a
// release publishes: checksums of every file, signed (checked with
// cosign itself, and make release-verify, which refuses a file or a
// checksum changed since); a CycloneDX SBOM of the binary; a binary that
// says its version, commit and build date; and a bundle that is the
// production overlay with its images pinned by digest and nothing else
// changed.
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

	// What release-push records, and a key as cosign makes one.
	images := makefileImages(t)
	repos := []string{imageRepo(images["SALES_IMAGE"]), imageRepo(images["METRICS_IMAGE"])}
	digests := map[string]string{}
	var recorded string
	for i, repo := range repos {
		d := "sha256:" + strings.Repeat(string(rune('a'+i)), 64)
		digests[repo] = d
		recorded += repo + "=" + registry + "/" + repo + "@" + d + "\n"
	}
	digestsFile := project + "-" + version + "-images"
	if err := os.WriteFile(filepath.Join(dist, digestsFile), []byte(recorded), 0o644); err != nil {
		t.Fatal(err)
	}
	tools, err := makeInRepo(t, "-s", "release-tools")
	if err != nil {
		t.Fatalf("make release-tools: %v\n%s", err, tools)
	}
	lines := strings.Split(strings.TrimSpace(string(tools)), "\n")
	cosign := lines[len(lines)-1]
	keys := t.TempDir()
	keygen := exec.Command(cosign, "generate-key-pair")
	keygen.Dir = keys
	keygen.Env = append(os.Environ(), "COSIGN_PASSWORD=throwaway")
	if out, err := keygen.CombinedOutput(); err != nil {
		t.Fatalf("cosign generate-key-pair: %v\n%s", err, out)
	}
	key, err := os.ReadFile(filepath.Join(keys, "cosign.key"))
	if err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(keys, "cosign.pub")
	t.Setenv("COSIGN_PRIVATE_KEY", string(key))
	t.Setenv("COSIGN_PASSWORD", "throwaway")

	out, err := makeInRepo(t, args...)
	if err != nil {
		t.Fatalf("make release: %v\n%s", err, out)
	}

	binary := "sales-api-" + version + "-" + runtime.GOOS + "-" + runtime.GOARCH
	sbom := binary + ".cdx.json"
	bundleFile := project + "-" + version + ".yaml"
	sumsFile := project + "-" + version + "-SHA256SUMS"
	sigFile := sumsFile + ".sig"

	t.Run("checksums cover every file", func(t *testing.T) {
		entries, err := os.ReadDir(dist)
		if err != nil {
			t.Fatal(err)
		}
		var files []string
		for _, e := range entries {
			files = append(files, e.Name())
		}
		if diff := cmp.Diff(sortedStrings([]string{binary, sbom, bundleFile, sumsFile, sigFile, digestsFile}), files); diff != "" {
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
		if diff := cmp.Diff(sortedStrings([]string{binary, sbom, bundleFile}), sortedStrings(listed)); diff != "" {
			t.Errorf("files the checksums list (-want +got):\n%s", diff)
		}
	})

	t.Run("the SBOM lists the binary's modules", func(t *testing.T) {
		var doc struct {
			BOMFormat string `json:"bomFormat"`
			Metadata  struct {
				Component struct {
					Name    string `json:"name"`
					Version string `json:"version"`
				} `json:"component"`
			} `json:"metadata"`
			Components []struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"components"`
		}
		data, err := os.ReadFile(filepath.Join(dist, sbom))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", sbom, err)
		}
		if doc.BOMFormat != "CycloneDX" || doc.Metadata.Component.Version != version {
			t.Errorf("%s: format %q, component %+v; want CycloneDX of the main module at %s", sbom, doc.BOMFormat, doc.Metadata.Component, version)
		}
		var names []string
		for _, c := range doc.Components {
			names = append(names, c.Name)
		}
		for _, mod := range []string{"github.com/jmoiron/sqlx", "github.com/jackc/pgx/v5", "github.com/golang-jwt/jwt/v5"} {
			if !slices.Contains(names, mod) {
				t.Errorf("%s does not list %s, which sales-api links", sbom, mod)
			}
		}
	})

	t.Run("the checksums are signed, and verified", func(t *testing.T) {
		verify := exec.Command(cosign, "verify-blob", "--key", pub, "--insecure-ignore-tlog=true",
			"--signature", filepath.Join(dist, sigFile), filepath.Join(dist, sumsFile))
		if out, err := verify.CombinedOutput(); err != nil {
			t.Fatalf("cosign verify-blob: %v\n%s", err, out)
		}
		if out, err := makeInRepo(t, "release-verify", "VERSION="+version, "DIST="+dist, "COSIGN_PUB="+pub); err != nil {
			t.Fatalf("make release-verify: %v\n%s", err, out)
		}

		// A copy, changed: a file no longer matches its checksum; a
		// checksum changed to match no longer matches the signature.
		for _, tamper := range []string{binary, sumsFile} {
			copyDir := t.TempDir()
			for _, name := range []string{binary, sbom, bundleFile, sumsFile, sigFile} {
				data, err := os.ReadFile(filepath.Join(dist, name))
				if err != nil {
					t.Fatal(err)
				}
				if name == tamper {
					data = append(data, '\n')
				}
				if err := os.WriteFile(filepath.Join(copyDir, name), data, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if out, err := makeInRepo(t, "release-verify", "VERSION="+version, "DIST="+copyDir, "COSIGN_PUB="+pub); err == nil {
				t.Errorf("make release-verify with %s changed: passed\n%s", tamper, out)
			}
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

		// The kit's images, every one under the registry at the digest
		// the push recorded, in every pod template whatever its kind.
		gotObjs := asMaps(t, got)
		var seen []string
		for id, obj := range gotObjs {
			for _, c := range podContainers(obj) {
				image, _ := c["image"].(string)
				repo, digest, _ := strings.Cut(strings.TrimPrefix(image, registry+"/"), "@")
				if !strings.HasPrefix(image, registry+"/") || !slices.Contains(repos, repo) || digest != digests[repo] {
					t.Errorf("%s: container %v runs %s, want one of %v under %s at its digest", id, c["name"], image, repos, registry)
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
				c["image"] = registry + "/" + imageRepo(image) + "@" + digests[imageRepo(image)]
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
