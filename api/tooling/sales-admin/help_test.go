package main

import (
	"testing"

	"github.com/garagesale/service/api/tooling/sales-admin/commands"
	"github.com/google/go-cmp/cmp"
)

func TestHelpWanted(t *testing.T) {
	gentoken, _ := commands.Lookup("gentoken")
	tests := []struct {
		name  string
		args  []string
		usage string
		ok    bool
	}{
		{"help", []string{"help"}, commands.Overview(), true},
		{"help with a command", []string{"help", "gentoken"}, gentoken.Usage, true},
		{"help with no such command", []string{"help", "nope"}, commands.Overview(), true},
		{"a command's --help", []string{"gentoken", "x", "--help"}, gentoken.Usage, true},
		{"a command's -h", []string{"gentoken", "-h"}, gentoken.Usage, true},
		{"a bare --help is conf's", []string{"--help"}, "", false},
		{"a command", []string{"gentoken", "x"}, "", false},
		{"nothing", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			usage, ok := helpWanted(tt.args)
			if diff := cmp.Diff([2]any{tt.usage, tt.ok}, [2]any{usage, ok}); diff != "" {
				t.Errorf("helpWanted(%q) (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}
