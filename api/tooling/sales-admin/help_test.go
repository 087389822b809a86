package main

import (
	"testing"

	"github.com/ardanlabs/conf/v3"
	"github.com/garagesale/service/api/tooling/sales-admin/commands"
	"github.com/google/go-cmp/cmp"
)

func TestHelpWanted(t *testing.T) {
	gentoken, _ := commands.Lookup("gentoken")
	tests := []struct {
		name  string
		args  []string
		usage string
		err   string // "" for none
	}{
		{"help", []string{"help"}, commands.Overview(), conf.ErrHelpWanted.Error()},
		{"help with a command", []string{"help", "gentoken"}, gentoken.Usage, conf.ErrHelpWanted.Error()},
		{"help with no such command", []string{"help", "nope"}, commands.Overview(), `unknown command "nope"`},
		{"a command's --help", []string{"gentoken", "x", "--help"}, gentoken.Usage, conf.ErrHelpWanted.Error()},
		{"a command's -h", []string{"gentoken", "-h"}, gentoken.Usage, conf.ErrHelpWanted.Error()},
		{"a bare --help is conf's", []string{"--help"}, "", ""},
		{"a command", []string{"gentoken", "x"}, "", ""},
		{"nothing", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			usage, err := helpWanted(tt.args)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff([2]string{tt.usage, tt.err}, [2]string{usage, got}); diff != "" {
				t.Errorf("helpWanted(%q) (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}
