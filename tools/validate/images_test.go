package validate

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestImages checks the images make images built with podman (make
// test-images runs it): each binary answers --version with the build's
// stamp, the image runs as the non-root user 65532, and has no shell for
// an intruder. The sales image carries sales-admin for the init container.
func TestImages(t *testing.T) {
	if os.Getenv("SALES_TEST_IMAGES") != "1" {
		t.Skip("needs the images built by podman: run make test-images")
	}
	podman := func(args ...string) (string, error) {
		out, err := exec.Command("podman", args...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	tests := []struct {
		image      string
		entrypoint string
		want       string // in --version's output
	}{
		{os.Getenv("SALES_IMAGE"), "/app/sales-api", "Version: "},
		{os.Getenv("SALES_IMAGE"), "/app/sales-admin", "Version: "},
		{os.Getenv("METRICS_IMAGE"), "/app/metrics", "Version: "},
	}
	for _, tt := range tests {
		t.Run(tt.image+" "+tt.entrypoint, func(t *testing.T) {
			out, err := podman("run", "--rm", "--read-only", "--cap-drop=ALL", "--entrypoint", tt.entrypoint, tt.image, "--version")
			if err != nil || !strings.Contains(out, tt.want) {
				t.Errorf("%s --version in %s: %v\n%s", tt.entrypoint, tt.image, err, out)
			}
		})
	}
	for _, image := range []string{os.Getenv("SALES_IMAGE"), os.Getenv("METRICS_IMAGE")} {
		t.Run(image, func(t *testing.T) {
			user, err := podman("image", "inspect", "--format", "{{.Config.User}}", image)
			if err != nil || user != "65532:65532" {
				t.Errorf("%s runs as %q (%v), want 65532:65532", image, user, err)
			}
			if out, err := podman("run", "--rm", "--entrypoint", "/bin/sh", image, "-c", "true"); err == nil {
				t.Errorf("%s has a shell: %s", image, out)
			}
			size, _ := podman("image", "inspect", "--format", "{{.Size}}", image)
			t.Logf("%s: %s bytes", image, size)
		})
	}
}
