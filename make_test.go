package readme_test

import (
	"os"
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
