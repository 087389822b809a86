package validate

import (
	"regexp"
	"testing"
)

// makeTags returns the build tags the makefile gives every go command.
func makeTags(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^TAGS\s*:=\s*(\S+)\s*$`).FindSubmatch(readRepoFile(t, "makefile"))
	if m == nil {
		t.Fatal("no TAGS := line in the makefile")
	}
	return string(m[1])
}

// TestBuildTagsAgree: every build outside make names the makefile's tags,
// so the images, the fleet and the load report's size build what make
// test tested.
func TestBuildTagsAgree(t *testing.T) {
	want := makeTags(t)
	named := regexp.MustCompile(`-tags[ ="]+([\w,]+)|"-tags", "([\w,]+)"|\btags: ([\w,]+)`)
	for _, path := range []string{
		"zarf/docker/dockerfile.sales",
		"zarf/docker/dockerfile.metrics",
		"zarf/fleet.yaml",
		"tools/load/report.go",
	} {
		found := 0
		for _, m := range named.FindAllSubmatch(readRepoFile(t, path), -1) {
			got := string(m[1]) + string(m[2]) + string(m[3])
			found++
			if got != want {
				t.Errorf("%s builds with tags %s, the makefile's TAGS are %s", path, got, want)
			}
		}
		if found == 0 {
			t.Errorf("%s names no build tags; the makefile's TAGS are %s", path, want)
		}
	}
}
