package bundle

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// overlay writes a kustomization of one Deployment running image and
// returns its folder.
func overlay(t *testing.T, image string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"kustomization.yaml": "resources:\n  - app.yaml\n",
		"app.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      initContainers:
        - name: migrate
          image: ` + image + `
      containers:
        - name: app
          image: ` + image + `
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const digest = "sha256:abababababababababababababababababababababababababababababababab"

func TestRenderPinsEveryContainer(t *testing.T) {
	tests := []struct {
		name   string
		image  string // in the overlay
		pin    Image
		want   string // every container's image in the bundle
		linked bool   // the overlay reached through a symlink
	}{
		{"new tag", "acme/app:v0.1.0", Image{Name: "acme/app"}, "acme/app:v1.2.3", false},
		{"no tag before", "acme/app", Image{Name: "acme/app"}, "acme/app:v1.2.3", false},
		{"to a registry", "acme/app:dev", Image{Name: "acme/app", NewName: "registry.example.com:5000/team/app"}, "registry.example.com:5000/team/app:v1.2.3", false},
		{"overlay behind a symlink", "acme/app:dev", Image{Name: "acme/app"}, "acme/app:v1.2.3", true},
		{"by digest", "acme/app:dev", Image{Name: "acme/app", NewName: "ghcr.io/acme/app", Digest: digest}, "ghcr.io/acme/app@" + digest, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := overlay(t, tt.image)
			if tt.linked {
				link := filepath.Join(t.TempDir(), "link")
				if err := os.Symlink(dir, link); err != nil {
					t.Fatal(err)
				}
				dir = link
			}
			out, err := Render(Config{Dir: dir, Version: "v1.2.3", Images: []Image{tt.pin}})
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			var got []string
			for line := range strings.SplitSeq(string(out), "\n") {
				if image, ok := strings.CutPrefix(strings.TrimLeft(line, " -"), "image: "); ok {
					got = append(got, image)
				}
			}
			if diff := cmp.Diff([]string{tt.want, tt.want}, got); diff != "" {
				t.Errorf("images of the bundle (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderRefuses(t *testing.T) {
	tests := []struct {
		name    string
		version string
		images  []Image
		wantErr string
	}{
		{"latest", "latest", []Image{{Name: "acme/app"}}, "moves"},
		{"dev", "dev", []Image{{Name: "acme/app"}}, "moves"},
		{"no version", "", []Image{{Name: "acme/app"}}, "not an image tag"},
		{"semver build metadata", "v1.2.3+abc", []Image{{Name: "acme/app"}}, "not an image tag"},
		{"nothing to pin", "v1.2.3", nil, "no images"},
		{"an image the overlay does not run", "v1.2.3", []Image{{Name: "acme/app"}, {Name: "acme/other"}}, "image acme/other: no container"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(Config{Dir: overlay(t, "acme/app:dev"), Version: tt.version, Images: tt.images})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Render error = %v, want one with %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseImage(t *testing.T) {
	tests := []struct {
		in      string
		want    Image
		wantErr bool
	}{
		{in: "garagesale/sales-api", want: Image{Name: "garagesale/sales-api"}},
		{in: "garagesale/sales-api=ghcr.io/acme/api", want: Image{Name: "garagesale/sales-api", NewName: "ghcr.io/acme/api"}},
		{in: "garagesale/sales-api=localhost:5000/sales-api", want: Image{Name: "garagesale/sales-api", NewName: "localhost:5000/sales-api"}},
		{in: "garagesale/sales-api:v1", wantErr: true},
		{in: "garagesale/sales-api=ghcr.io/acme/sales-api:v1", wantErr: true},
		{in: "=ghcr.io/acme/sales-api", wantErr: true},
		{in: "garagesale/sales-api=ghcr.io/acme/api@" + digest, want: Image{Name: "garagesale/sales-api", NewName: "ghcr.io/acme/api", Digest: digest}},
		{in: "garagesale/sales-api=ghcr.io/acme/api@sha256:abc", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseImage(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseImage error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseImage (-want +got):\n%s", diff)
			}
		})
	}
}
