package commands

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/keystore"
	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

// testEnv points the commands at t's own database and a fresh keys folder.
func testEnv(t *testing.T, out *bytes.Buffer) Env {
	t.Helper()
	db := dbtest.New(t, t.Name())
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	return Env{
		DB: sqldb.Config{
			User: u.User.Username(), Password: pass, Host: u.Host,
			Name: strings.TrimPrefix(u.Path, "/"), DisableTLS: true, MaxConns: 2,
		},
		KeysFolder: t.TempDir(),
		Issuer:     "garagesale",
		TokenTTL:   time.Hour,
		Out:        out,
	}
}

func run(t *testing.T, env Env, name string, args ...string) string {
	t.Helper()
	cmd, ok := Lookup(name)
	if !ok {
		t.Fatalf("no command %q", name)
	}
	buf := env.Out.(*bytes.Buffer)
	buf.Reset()
	if err := cmd.Run(context.Background(), env, args); err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return buf.String()
}

func TestAdminWorkflow(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	env := testEnv(t, &out)

	run(t, env, "migrate")
	run(t, env, "seed")
	run(t, env, "seed") // idempotent

	users := run(t, env, "users")
	for _, want := range []string{"admin@example.com", "user@example.com", "of 2 users"} {
		if !strings.Contains(users, want) {
			t.Errorf("users output lacks %q:\n%s", want, users)
		}
	}

	kid := strings.TrimSpace(run(t, env, "genkey"))
	ks, err := keystore.LoadFolder(env.KeysFolder)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{kid}, ks.KIDs()); diff != "" {
		t.Fatalf("keys folder (-want +got):\n%s", diff)
	}

	const adminID = "5cf37266-3473-4006-984f-9325122678b7"
	tkn := strings.TrimSpace(run(t, env, "gentoken", adminID))
	a, err := auth.New(auth.Config{KeyLookup: ks, Issuer: env.Issuer})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := a.Authenticate(context.Background(), "Bearer "+tkn)
	if err != nil {
		t.Fatalf("generated token does not verify: %v", err)
	}
	if diff := cmp.Diff([]string{adminID, "ADMIN"}, []string{claims.Subject, strings.Join(claims.Roles, ",")}); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
}

func TestCommandErrors(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	env := testEnv(t, &out)

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"gentoken", nil, "usage"},
		{"gentoken", []string{"not-a-uuid"}, "not a UUID"},
		{"gentoken", []string{"5cf37266-3473-4006-984f-9325122678b7"}, "0 keys"},
		{"migrate", []string{"extra"}, "takes no arguments"},
		{"users", []string{"0"}, "page"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			cmd, _ := Lookup(tt.name)
			err := cmd.Run(context.Background(), env, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
