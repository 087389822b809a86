package readme_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestSetupNamesTheKeys: make run's setup (zarf/dev/setup.sh) with several
// keys and no SALES_AUTH_ACTIVE_KID stops before it touches the database,
// naming the kids, newest first, and the ways to pick one.
func TestSetupNamesTheKeys(t *testing.T) {
	keys := t.TempDir()
	for i, kid := range []string{"old-kid", "new-kid"} {
		path := filepath.Join(keys, kid+".pem")
		if err := os.WriteFile(path, []byte("a key\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 11, 1+i, 9, 30, 0, 0, time.UTC)
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("zarf/dev/setup.sh")
	// No sales-admin in BIN: a setup that went on to migrate would fail
	// on that instead.
	cmd.Env = append(os.Environ(), "BIN="+t.TempDir(), "SALES_AUTH_KEYS_FOLDER="+keys, "SALES_AUTH_ACTIVE_KID=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("setup.sh ended with %v, want exit status 1:\n%s", err, stderr.String())
	}
	want := strings.Join([]string{
		keys + " holds 2 keys and SALES_AUTH_ACTIVE_KID is not set to the one that signs new tokens (newest first):",
		"  new-kid",
		"  old-kid",
		"Pick one and start again: export SALES_AUTH_ACTIVE_KID=new-kid signs with the newest (every key in",
		keys + " still verifies the tokens it signed), or delete the .pem files of the keys you no longer want.",
	}, "\n") + "\n"
	if diff := cmp.Diff(want, stderr.String()); diff != "" {
		t.Errorf("setup.sh said (-want +got):\n%s", diff)
	}
}
