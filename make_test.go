package readme_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestMakeHelpListsEveryTarget: plain `make` lists the targets, from the
// "## what it does" at the end of each target's line; a target without
// one would be missing from the list.
func TestMakeHelpListsEveryTarget(t *testing.T) {
	data, err := os.ReadFile("makefile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), ".DEFAULT_GOAL := help") {
		t.Error("plain make does not run help")
	}
	target := regexp.MustCompile(`^([a-zA-Z0-9_-]+):([^=]|$)`)
	n := 0
	for i, line := range strings.Split(string(data), "\n") {
		m := target.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n++
		if !strings.Contains(line, " ## ") {
			t.Errorf("makefile:%d: target %s has no \" ## what it does\" for make help", i+1, m[1])
		}
	}
	if n < 10 {
		t.Errorf("found %d targets; is the makefile where it was?", n)
	}
}

// TestREADMEFilesAreIgnored: a file the README's shell examples write in
// the repository's root (sales.ndjson of the offline upload) is
// git-ignored, so a reader who follows them does not find it among the
// changes to commit.
func TestREADMEFilesAreIgnored(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	if err := exec.Command("git", "rev-parse", "--git-dir").Run(); err != nil {
		t.Skip("not in a git repository")
	}
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	fence := regexp.MustCompile("^```(sh|bash)\\b")
	written := regexp.MustCompile(`(?:^|[\s;&|(])>>?\s*([A-Za-z0-9_][A-Za-z0-9_.-]*)(?:\s|$|;|\))`)
	inShell := false
	files := map[string]int{}
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "```"):
			inShell = !inShell && fence.MatchString(line)
		case inShell:
			for _, m := range written.FindAllStringSubmatch(line, -1) {
				if _, seen := files[m[1]]; !seen {
					files[m[1]] = i + 1
				}
			}
		}
	}
	for file, line := range files {
		if err := exec.Command("git", "check-ignore", "-q", "--no-index", file).Run(); err != nil {
			t.Errorf("README.md:%d writes %s in the repository's root, and .gitignore does not ignore it", line, file)
		}
	}
}
