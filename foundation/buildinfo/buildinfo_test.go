package buildinfo

import (
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStringNamesVersionCommitAndDate(t *testing.T) {
	tests := []struct {
		name string
		info Info
		want string
	}{
		{"stamped by make release", Info{"v1.2.3", "0ab8adf41c2e", "2026-11-30T10:00:00Z"}, "v1.2.3 (commit 0ab8adf41c2e, built 2026-11-30T10:00:00Z)"},
		{"a plain go build", Info{"develop", "", ""}, "develop (commit unknown, built unknown)"},
		{"nothing known", Info{}, "unknown (commit unknown, built unknown)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.info.String()); diff != "" {
				t.Errorf("String() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewKeepsWhatWasStamped(t *testing.T) {
	got := New("v1.2.3", "0ab8adf41c2e", "2026-11-30T10:00:00Z")
	want := Info{Version: "v1.2.3", Commit: "0ab8adf41c2e", Date: "2026-11-30T10:00:00Z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("New (-want +got):\n%s", diff)
	}
}

func TestVCSCommitFromWhatGoRecorded(t *testing.T) {
	const rev = "0ab8adf41c2e9d7b5a1f3c4e6d8b0a2c4e6f8a1b"
	tests := []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"clean checkout", []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}, "0ab8adf41c2e"},
		{"uncommitted changes", []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}}, "0ab8adf41c2e-dirty"},
		{"short revision", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}}, "abc"},
		{"not built in a checkout", []debug.BuildSetting{{Key: "GOOS", Value: "linux"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, vcsCommit(tt.settings)); diff != "" {
				t.Errorf("vcsCommit (-want +got):\n%s", diff)
			}
		})
	}
}
