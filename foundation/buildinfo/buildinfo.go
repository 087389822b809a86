// Package buildinfo says which build of a program is running: its version,
// the commit it was built from and when it was built.
package buildinfo

import (
	"cmp"
	"fmt"
	"runtime/debug"
)

// Info is what is known of a build; an empty field is unknown.
type Info struct {
	Version string
	Commit  string
	Date    string
}

// New returns the info of the running build from the values the linker
// stamped into its main package (make release: -ldflags "-X main.version=v1.2.3
// -X main.commit=0ab8adf41c2e -X main.date=2026-11-30T10:00:00Z"). A commit
// not stamped is the one the go command recorded, so that a plain go build
// still names the code it runs.
func New(version, commit, date string) Info {
	if commit == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			commit = vcsCommit(bi.Settings)
		}
	}
	return Info{Version: version, Commit: commit, Date: date}
}

// String is the one line that --version, the liveness answers and the
// build expvar show: "v1.2.3 (commit 0ab8adf41c2e, built 2026-11-30T10:00:00Z)".
func (i Info) String() string {
	return fmt.Sprintf("%s (commit %s, built %s)", cmp.Or(i.Version, "unknown"), cmp.Or(i.Commit, "unknown"), cmp.Or(i.Date, "unknown"))
}

// vcsCommit is the commit the go command recorded, shortened the way
// make stamps it, marked when the checkout had uncommitted changes.
func vcsCommit(settings []debug.BuildSetting) string {
	var rev, modified string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return ""
	}
	rev = rev[:min(len(rev), 12)]
	if modified == "true" {
		rev += "-dirty"
	}
	return rev
}
