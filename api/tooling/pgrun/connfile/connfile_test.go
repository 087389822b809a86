package connfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		want    map[string]string
		wantErr string
	}{
		{
			name: "what pgrun writes",
			data: "# written by pgrun\nSALES_DB_HOST=127.0.0.1:54320\nSALES_DB_PASSWORD=postgres\nDATABASE_URL=postgres://postgres:postgres@127.0.0.1:54320/postgres?sslmode=disable\n",
			want: map[string]string{
				"SALES_DB_HOST":     "127.0.0.1:54320",
				"SALES_DB_PASSWORD": "postgres",
				"DATABASE_URL":      "postgres://postgres:postgres@127.0.0.1:54320/postgres?sslmode=disable",
			},
		},
		{
			name: "blank lines, comments, spaces and CRLF line ends are skipped",
			data: "\r\n  # comment\r\n\r\n  SALES_DB_NAME = sales \r\n",
			want: map[string]string{"SALES_DB_NAME": "sales"},
		},
		{
			name: "quotes and export as a shell writes them",
			data: "export SALES_DB_PASSWORD='a b#c'\nSALES_DB_USER=\"ops\"\nSALES_DB_NAME='unbalanced\n",
			want: map[string]string{"SALES_DB_PASSWORD": "a b#c", "SALES_DB_USER": "ops", "SALES_DB_NAME": "'unbalanced"},
		},
		{
			name: "an empty value and an = inside a value",
			data: "SALES_DB_TLS_ROOT_CERT=\nDATABASE_URL=postgres://h/db?sslmode=disable&x=1\n",
			want: map[string]string{"SALES_DB_TLS_ROOT_CERT": "", "DATABASE_URL": "postgres://h/db?sslmode=disable&x=1"},
		},
		{
			name: "a name given twice takes its last value",
			data: "SALES_DB_HOST=a:1\nSALES_DB_HOST=b:2\n",
			want: map[string]string{"SALES_DB_HOST": "b:2"},
		},
		{
			name: "an empty file has no variables",
			data: "",
			want: map[string]string{},
		},
		{
			name:    "a line without = is an error naming the line, not its text",
			data:    "SALES_DB_HOST=h:1\nSALES_DB_PASSWORD secret\n",
			wantErr: "line 2: want NAME=VALUE",
		},
		{
			name:    "a name that no shell would take is an error",
			data:    "SALES-DB-HOST=h:1\n",
			wantErr: "line 1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error %q shows the line's value", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("variables (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteThenRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pg", Name)
	vars := []Var{
		{"SALES_DB_HOST", "127.0.0.1:54320"},
		{"SALES_DB_PASSWORD", "p@ss w=rd"},
		{"DATABASE_URL", "postgres://postgres:p%40ss%20w%3Drd@127.0.0.1:54320/postgres?sslmode=disable"},
	}
	if err := Write(path, "written by a test\nsecond line", vars); err != nil {
		t.Fatal(err)
	}

	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, v := range vars {
		want[v.Name] = v.Value
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode %o, want 600: the file holds a password", perm)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*"))
	if len(left) > 0 {
		t.Errorf("temp files left behind: %v", left)
	}
}

func TestWriteRefusesWhatCannotReadBack(t *testing.T) {
	tests := []struct {
		name string
		v    Var
	}{
		{"a value with a newline", Var{"SALES_DB_PASSWORD", "a\nSALES_DB_HOST=evil:1"}},
		{"a name that is not one", Var{"SALES DB", "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), Name)
			if err := Write(path, "", []Var{tt.v}); err == nil {
				t.Fatal("Write succeeded")
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a file was written: stat error %v", err)
			}
		})
	}
}

func TestReadMissingFile(t *testing.T) {
	_, err := Read(filepath.Join(t.TempDir(), Name))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("error = %v, want one wrapping os.ErrNotExist", err)
	}
}
