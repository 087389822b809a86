package commands

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGenkeySaysWhichKeySigns: genkey prints the new kid, and on stderr
// which key signs new tokens now and how to pick another; once a second
// key is in the folder, gentoken without a kid refuses, naming the kids
// and the fix, until SALES_AUTH_ACTIVE_KID picks one.
func TestGenkeySaysWhichKeySigns(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	env := testEnv(t, &out)
	env.Err = &errOut
	dir := env.KeysFolder
	run(t, env, "migrate")
	run(t, env, "seed", "--dev")
	const adminID = "5cf37266-3473-4006-984f-9325122678b7"

	genkey := func(env Env) (kid, note string) {
		t.Helper()
		errOut.Reset()
		kid = strings.TrimSpace(run(t, env, "genkey"))
		return kid, strings.TrimSpace(errOut.String())
	}

	first, note := genkey(env)
	want := "made key " + first + " (" + filepath.Join(dir, first+".pem") + "): the only key in " + dir +
		", so it signs new tokens (with SALES_AUTH_ACTIVE_KID not set, the only key signs)"
	if diff := cmp.Diff(want, note); diff != "" {
		t.Errorf("genkey into an empty folder said (-want +got):\n%s", diff)
	}

	second, note := genkey(env)
	for _, want := range []string{
		"made key " + second,
		"holds 2 keys",
		first, "sales-api and gentoken refuse to start",
		"export SALES_AUTH_ACTIVE_KID=" + second,
		"rm " + filepath.Join(dir, first+".pem"),
	} {
		if !strings.Contains(note, want) {
			t.Errorf("genkey of a second key did not say %q:\n%s", want, note)
		}
	}

	err := gentokenCmd.Run(context.Background(), env, []string{adminID})
	if err == nil {
		t.Fatal("gentoken with two keys and no active kid made a token")
	}
	for _, want := range []string{first, second, "SALES_AUTH_ACTIVE_KID=", "delete the files", "gentoken <user-id> <kid>"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("gentoken's error does not say %q: %v", want, err)
		}
	}

	picked := env
	picked.ActiveKID = second
	if tkn := strings.TrimSpace(run(t, picked, "gentoken", adminID)); tkn == "" {
		t.Error("gentoken with SALES_AUTH_ACTIVE_KID set made no token")
	}
	third, note := genkey(picked)
	want = "made key " + third + " (" + filepath.Join(dir, third+".pem") + "); SALES_AUTH_ACTIVE_KID=" + second +
		" still signs new tokens: set SALES_AUTH_ACTIVE_KID=" + third + " to sign with the new key (the others keep verifying the tokens they signed)"
	if diff := cmp.Diff(want, note); diff != "" {
		t.Errorf("genkey with an active kid said (-want +got):\n%s", diff)
	}
}
