package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/foundation/keystore"
	"github.com/google/go-cmp/cmp"
)

// TestMain lets a test run this test binary as sales-api itself.
func TestMain(m *testing.M) {
	if os.Getenv("SALES_TEST_RUN_AS_API") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestStartRefusesUnclearKeys: sales-api that cannot tell which key signs
// new tokens does not start, and says which kids it found and how to pick
// one; it says so before it needs a database.
func TestStartRefusesUnclearKeys(t *testing.T) {
	tests := []struct {
		name      string
		keys      int
		activeKID string
		want      string // DIR is the keys folder, KID1 the older key, KID2 the newer
	}{
		{
			name: "several keys and no active kid", keys: 2,
			want: "DIR holds 2 keys and SALES_AUTH_ACTIVE_KID is not set to the one that signs new tokens: " +
				"KID2 (made 2026-11-02 09:30 UTC), KID1 (made 2026-11-01 09:30 UTC). " +
				"Set SALES_AUTH_ACTIVE_KID=KID2 to sign with the newest (every key in the folder still verifies the tokens it signed), " +
				"or delete the files of the keys you no longer want (DIR/KID1.pem)",
		},
		{
			name: "an active kid that is no key", keys: 1, activeKID: "gone",
			want: "SALES_AUTH_ACTIVE_KID=gone: no such key in DIR (it holds KID1 (made 2026-11-01 09:30 UTC)): key not found",
		},
		{
			name: "no keys", keys: 0,
			want: "no keys in DIR: run 'sales-admin genkey' to make one",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var pairs []string // each kid and its name in want
			for i := range tt.keys {
				kid, err := keystore.Generate(dir, 0)
				if err != nil {
					t.Fatal(err)
				}
				at := time.Date(2026, 11, i+1, 9, 30, 0, 0, time.UTC)
				if err := os.Chtimes(filepath.Join(dir, kid+".pem"), at, at); err != nil {
					t.Fatal(err)
				}
				pairs = append(pairs, kid, "KID"+string(rune('1'+i)))
			}
			names := strings.NewReplacer(append(pairs, dir, "DIR")...)

			var env []string
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "SALES_") {
					env = append(env, kv)
				}
			}
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(env, "SALES_TEST_RUN_AS_API=1", "SALES_AUTH_KEYS_FOLDER="+dir, "SALES_AUTH_ACTIVE_KID="+tt.activeKID,
				// Nothing listens here: a start that got as far as the
				// database would fail on it instead.
				"SALES_DB_HOST=127.0.0.1:1", "SALES_TEMPO_HOST=")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("sales-api ended with %v, want exit status 1:\n%s", err, out.String())
			}
			var got string
			for _, line := range strings.Split(out.String(), "\n") {
				var rec struct{ Level, Msg, Error string }
				if json.Unmarshal([]byte(line), &rec) == nil && rec.Level == "ERROR" && rec.Msg == "startup" {
					got = names.Replace(rec.Error)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("startup error (-want +got):\n%s\noutput:\n%s", diff, out.String())
			}
		})
	}
}
