package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/garagesale/service/api/tooling/sales-admin/commands"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// makeRunFile is what pgrun writes for make run.
const makeRunFile = `# Written by pgrun
SALES_DB_HOST=127.0.0.1:54320
SALES_DB_USER=postgres
SALES_DB_PASSWORD=postgres
SALES_DB_NAME=postgres
SALES_DB_TLS_MODE=disable
DATABASE_URL=postgres://postgres:postgres@127.0.0.1:54320/postgres?sslmode=disable
`

func TestLocalDB(t *testing.T) {
	all := map[string]string{
		"SALES_DB_HOST":     "127.0.0.1:54320",
		"SALES_DB_USER":     "postgres",
		"SALES_DB_PASSWORD": "postgres",
		"SALES_DB_NAME":     "postgres",
		"SALES_DB_TLS_MODE": "disable",
	}
	without := func(names ...string) map[string]string {
		m := make(map[string]string)
		for k, v := range all {
			m[k] = v
		}
		for _, n := range names {
			delete(m, n)
		}
		return m
	}

	tests := []struct {
		name     string
		file     string // "" for no file
		env      map[string]string
		args     []string
		wantVars map[string]string
		wantFile bool // the origin is the file
		given    bool // the origin is an explicit host
		wantErr  string
	}{
		{
			name:     "nothing given: every SALES_DB_ variable of the file, not DATABASE_URL",
			file:     makeRunFile,
			args:     []string{"users"},
			wantVars: all,
			wantFile: true,
		},
		{
			name:  "SALES_DB_HOST in the environment: the file is not used",
			file:  makeRunFile,
			env:   map[string]string{"SALES_DB_HOST": "db.internal:5432"},
			args:  []string{"users"},
			given: true,
		},
		{
			name:  "an empty SALES_DB_HOST is still given",
			file:  makeRunFile,
			env:   map[string]string{"SALES_DB_HOST": ""},
			given: true,
		},
		{
			name:  "--db-host flag with its value apart: the file is not used",
			file:  makeRunFile,
			args:  []string{"--db-host", "db.internal:5432", "users"},
			given: true,
		},
		{
			name:  "-db-host=value as conf also reads it",
			file:  makeRunFile,
			args:  []string{"--db-user", "ops", "-DB-HOST=db.internal:5432", "migrate"},
			given: true,
		},
		{
			name:     "SALES_DB_NAME in the environment beats the file's, the rest comes from it",
			file:     makeRunFile,
			env:      map[string]string{"SALES_DB_NAME": "sales"},
			args:     []string{"users"},
			wantVars: without("SALES_DB_NAME"),
			wantFile: true,
		},
		{
			name:     "a --db-password flag beats the file's",
			file:     makeRunFile,
			args:     []string{"--db-password=secret", "users"},
			wantVars: without("SALES_DB_PASSWORD"),
			wantFile: true,
		},
		{
			name:     "a --db-host after the command is the command's, not conf's",
			file:     makeRunFile,
			args:     []string{"users", "--db-host", "x:1"},
			wantVars: all,
			wantFile: true,
		},
		{
			name:     "variables of other programs do not count as given",
			file:     makeRunFile,
			env:      map[string]string{"PGHOST": "elsewhere", "SALES_WEB_API_HOST": "0.0.0.0:3001"},
			wantVars: all,
			wantFile: true,
		},
		{
			name: "no file: make run is not running",
			args: []string{"users"},
		},
		{
			name: "a file without a host is not used",
			file: "SALES_DB_NAME=postgres\n",
		},
		{
			name:    "a malformed file is an error that says what to do",
			file:    "SALES_DB_HOST=127.0.0.1:54320\nnot a line\n",
			wantErr: "delete it if make run is not running",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "connection.env")
			if tt.file != "" {
				if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			lookup := func(name string) (string, bool) {
				v, ok := tt.env[name]
				return v, ok
			}

			vars, origin, err := localDB(path, lookup, tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v", err)
			}
			if diff := cmp.Diff(tt.wantVars, vars, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("variables set from the file (-want +got):\n%s", diff)
			}
			want := commands.DBOrigin{Given: tt.given}
			if tt.wantFile {
				want = commands.DBOrigin{File: path}
			}
			if diff := cmp.Diff(want, origin); diff != "" {
				t.Errorf("origin (-want +got):\n%s", diff)
			}
		})
	}
}
