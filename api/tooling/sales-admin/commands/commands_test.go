package commands

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/foundation/keystore"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

// testEnv points the commands at t's own database and a fresh keys folder.
func testEnv(t *testing.T, out *bytes.Buffer) Env {
	t.Helper()
	env, _ := testEnvDB(t, out)
	return env
}

// testEnvDB is testEnv, with the test's database for what a test sets up
// behind the commands' back.
func testEnvDB(t *testing.T, out *bytes.Buffer) (Env, *dbtest.Database) {
	t.Helper()
	db := dbtest.New(t, t.Name())
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	return Env{
		DB: sqldb.Config{Conn: sqldb.Conn{
			User: u.User.Username(), Password: pass, Host: u.Host,
			Name: strings.TrimPrefix(u.Path, "/"), TLSMode: "disable",
		}, MaxConns: 2},
		KeysFolder: t.TempDir(),
		Issuer:     "garagesale",
		TokenTTL:   time.Hour,
		Out:        out,
	}, db
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
	run(t, env, "seed", "--dev")
	run(t, env, "seed", "--dev") // idempotent

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
		{"gentoken", []string{"5cf37266-3473-4006-984f-9325122678b7"}, "no keys in "},
		{"migrate", []string{"extra"}, "want none (apply) or status"},
		{"migrate", []string{"status", "extra"}, "want none (apply) or status"},
		{"genkey", []string{"extra"}, "takes no arguments"},
		{"users", []string{"0"}, "page"},
		{"seed", nil, "--dev"},
		{"seed", []string{"--prod"}, "--dev"},
		{"users", []string{"add", "--email", "x", "--name", ""}, "--email"},
		{"users", []string{"add", "--email", "a@example.com", "--name", "A", "--role", "ROOT"}, "--role"},
		{"users", []string{"add", "--email", "a@example.com", "--name", "A"}, "password"},
		{"users", []string{"add", "--email", "a@example.com", "--name", "A", "--department", strings.Repeat("d", 101)}, "--department: must be at most 100 characters"},
		{"users", []string{"add", "--email", "a@example.com", "--name", "A", "--department", "Toys\u200b"}, "--department: must not contain invisible"},
		{"users", []string{"promote"}, "usage"},
		{"users", []string{"disable"}, "usage"},
		{"users", []string{"demote", "a@example.com"}, "unknown users command"},
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

	// A token that would be expired when printed is not signed.
	expired := env
	expired.TokenTTL = -time.Hour
	cmd, _ := Lookup("gentoken")
	if err := cmd.Run(context.Background(), expired, []string{"5cf37266-3473-4006-984f-9325122678b7"}); err == nil || !strings.Contains(err.Error(), "lifetime must be more than zero") {
		t.Errorf("gentoken with a TTL of -1h: %v", err)
	}
}

// TestFirstAdminAndRecovery: on an empty database the first ADMIN is made
// with users add, the password read from standard input; a user is made
// ADMIN again with users promote, re-enabled, and their old tokens void.
func TestFirstAdminAndRecovery(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	env := testEnv(t, &out)
	run(t, env, "migrate")

	env.In = strings.NewReader("a long secret\n")
	got := run(t, env, "users", "add", "--email", "ops@example.com", "--name", "Ops", "--role", "ADMIN")
	if !strings.Contains(got, "created ADMIN ops@example.com") {
		t.Errorf("users add said %q", got)
	}
	env.In = strings.NewReader("another secret\n")
	run(t, env, "users", "add", "--email", "bo@example.com", "--name", "Bo")
	// A taken email says so, in the operator's words, not Postgres'.
	env.In = strings.NewReader("another secret\n")
	users, _ := Lookup("users")
	err := users.Run(context.Background(), env, []string{"add", "--email", "BO@example.com", "--name", "Bo"})
	if want := "a user with email BO@example.com already exists"; err == nil || err.Error() != want {
		t.Errorf("users add of a taken email: %v, want %q", err, want)
	}

	// The list is ordered by email, as its help says.
	list := run(t, env, "users")
	if b, o := strings.Index(list, "bo@example.com"), strings.Index(list, "ops@example.com"); b < 0 || o < 0 || b > o {
		t.Errorf("users lists bo@ at %d and ops@ at %d, want both, by email:\n%s", b, o, list)
	}

	db, err := openDB(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bus := userBusiness(db)
	if _, err := bus.Authenticate(context.Background(), dbtest.Must(email.Parse("ops@example.com")), "a long secret", ""); err != nil {
		t.Errorf("the new admin cannot log in: %v", err)
	}
	bo, err := bus.QueryByEmail(context.Background(), dbtest.Must(email.Parse("bo@example.com")))
	if err != nil {
		t.Fatal(err)
	}
	off := false
	if _, err := bus.Update(context.Background(), uuid.Nil, bo.ID, userbus.UpdateUser{Enabled: &off}); err != nil {
		t.Fatal(err)
	}

	got = run(t, env, "users", "promote", "BO@example.com")
	if !strings.Contains(got, "bo@example.com is now an enabled ADMIN") {
		t.Errorf("users promote said %q", got)
	}
	after, err := bus.QueryByID(context.Background(), bo.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !after.IsEnabledAdmin() || after.TokenVersion <= bo.TokenVersion {
		t.Errorf("after promote: admin %v, token version %d (was %d); want an enabled admin with a new version",
			after.IsEnabledAdmin(), after.TokenVersion, bo.TokenVersion)
	}

	// Promoting an enabled ADMIN changes nothing, and says so: the tokens
	// still work.
	got = run(t, env, "users", "promote", "bo@example.com")
	if want := "bo@example.com was already an enabled ADMIN: nothing changed, and their tokens still work\n"; got != want {
		t.Errorf("users promote of an admin said %q, want %q", got, want)
	}
	again, err := bus.QueryByID(context.Background(), bo.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.TokenVersion != after.TokenVersion {
		t.Errorf("token version %d after a promote that changed nothing, want %d", again.TokenVersion, after.TokenVersion)
	}

	// A disabled ADMIN, the recovery this command is for: enabled again,
	// and the tokens that died with the disabling stay dead.
	if _, err := bus.Update(context.Background(), uuid.Nil, bo.ID, userbus.UpdateUser{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	got = run(t, env, "users", "promote", "bo@example.com")
	if want := "bo@example.com is an enabled ADMIN again; tokens from before they were disabled still do not work\n"; got != want {
		t.Errorf("users promote of a disabled admin said %q, want %q", got, want)
	}
}

// TestUsersDisable: an operator stops an account without the API: the
// user is disabled, their tokens void; again, nothing changes; the last
// enabled ADMIN stays.
func TestUsersDisable(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	env := testEnv(t, &out)
	run(t, env, "migrate")
	env.In = strings.NewReader("a long secret\n")
	run(t, env, "users", "add", "--email", "ops@example.com", "--name", "Ops", "--role", "ADMIN")
	env.In = strings.NewReader("another secret\n")
	run(t, env, "users", "add", "--email", "bo@example.com", "--name", "Bo")

	db, err := openDB(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bus := userBusiness(db)
	bo, err := bus.QueryByEmail(context.Background(), dbtest.Must(email.Parse("bo@example.com")))
	if err != nil {
		t.Fatal(err)
	}

	got := run(t, env, "users", "disable", "BO@example.com")
	if want := "bo@example.com is disabled: their tokens no longer work and they cannot log in, until an ADMIN enables them\n"; got != want {
		t.Errorf("users disable said %q, want %q", got, want)
	}
	after, err := bus.QueryByID(context.Background(), bo.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Enabled || after.TokenVersion <= bo.TokenVersion {
		t.Errorf("after disable: enabled %v, token version %d (was %d); want disabled with a new version", after.Enabled, after.TokenVersion, bo.TokenVersion)
	}
	if _, err := bus.Authenticate(context.Background(), bo.Email, "another secret", ""); err == nil {
		t.Error("a disabled user logged in")
	}

	got = run(t, env, "users", "disable", "bo@example.com")
	if want := "bo@example.com was already disabled: nothing changed\n"; got != want {
		t.Errorf("users disable of a disabled user said %q, want %q", got, want)
	}
	if again, err := bus.QueryByID(context.Background(), bo.ID); err != nil {
		t.Fatal(err)
	} else if !again.DateUpdated.Equal(after.DateUpdated) || again.TokenVersion != after.TokenVersion {
		t.Errorf("a second disable changed the user: updated %v, version %d; was %v, %d", again.DateUpdated, again.TokenVersion, after.DateUpdated, after.TokenVersion)
	}

	users, _ := Lookup("users")
	err = users.Run(context.Background(), env, []string{"disable", "ops@example.com"})
	if !errors.Is(err, userbus.ErrLastAdmin) {
		t.Errorf("users disable of the last ADMIN: %v, want %v", err, userbus.ErrLastAdmin)
	}
}

// TestUsersCursor: the list goes on past the page numbers with --cursor,
// as each full page's last line says, and a page past them says so.
func TestUsersCursor(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	env, db := testEnvDB(t, &out)
	run(t, env, "migrate")
	if _, err := db.DB.Exec(`INSERT INTO users (user_id, name, email, roles, password_hash, department, enabled, date_created, date_updated)
		SELECT gen_random_uuid(), 'User ' || i, 'u' || lpad(i::text, 2, '0') || '@example.com', '{USER}', '\x00', '', true, now(), now()
		FROM generate_series(1, 5) i`); err != nil {
		t.Fatal(err)
	}

	var seen []string
	next := func(got string) []string {
		var args []string
		for _, line := range strings.Split(got, "\n") {
			if f := strings.Fields(line); len(f) > 1 && strings.HasSuffix(f[1], "@example.com") {
				seen = append(seen, f[1])
			}
			if rest, ok := strings.CutPrefix(line, "next: sales-admin users "); ok {
				args = strings.Fields(rest)
			}
		}
		return args
	}
	args := next(run(t, env, "users", "1", "2"))
	for args != nil {
		args = next(run(t, env, "users", args...))
	}
	want := []string{"u01@example.com", "u02@example.com", "u03@example.com", "u04@example.com", "u05@example.com"}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("every page (-want +got):\n%s", diff)
	}

	users, _ := Lookup("users")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"101", "100"}, "go on with users --cursor NEXT"},
		{[]string{"--cursor", "nope"}, "--cursor: not a cursor of this list"},
	} {
		if err := users.Run(context.Background(), env, tt.args); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("users %q: %v, want %q", tt.args, err, tt.want)
		}
	}
}

// TestUsersCanonical: addresses stored before the canonical rule are
// rewritten into it, those that cannot be are named and left, and a
// second run changes nothing.
func TestUsersCanonical(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	env, db := testEnvDB(t, &out)
	run(t, env, "migrate")
	stored := []string{
		"bi\u0301ll@example.com",  // a decomposed accent
		"\uff41da@example.com",    // a full-width letter
		"eve@example.com\u200b",   // an invisible character
		"\u0430da@example.com",    // a Cyrillic а among Latin letters
		"CARL@XN--EXMPLE-CUA.COM", // a domain's ASCII form, in capitals...
		"carl@ex\u00e4mple.com",   // ...beside its canonical form
		"plain@example.com",       // already canonical
	}
	for i, addr := range stored {
		if _, err := db.DB.Exec(`INSERT INTO users (user_id, name, email, roles, password_hash, department, enabled, date_created, date_updated)
			VALUES (gen_random_uuid(), $1, $2, '{USER}', '\x00', '', true, now(), now())`, fmt.Sprintf("User %d", i), addr); err != nil {
			t.Fatal(err)
		}
	}

	got := run(t, env, "users", "canonical")
	for _, want := range []string{
		`"bi\u0301ll@example.com" is now b` + "\u00ed" + `ll@example.com`,
		`"\uff41da@example.com" is now ada@example.com`,
		`"eve@example.com\u200b": left as it is: email must not hold invisible or formatting characters`,
		`mixes the letters of Cyrillic and Latin in "` + "\u0430" + `da": write each part in one; it cannot log in until an ADMIN gives the account another address`,
		`"CARL@XN--EXMPLE-CUA.COM": left as it is: another account, `,
		`, is carl@ex` + "\u00e4" + `mple.com` + "\n", // as it is stored, not CARL@exämple.com
		"2 addresses made canonical, 3 left as they are",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("users canonical lacks %q:\n%s", want, got)
		}
	}
	var emails []string
	if err := db.DB.Select(&emails, `SELECT email FROM users ORDER BY email`); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(emails, "b\u00edll@example.com") || !slices.Contains(emails, "ada@example.com") {
		t.Errorf("stored addresses: %q", emails)
	}
	if again := run(t, env, "users", "canonical"); !strings.Contains(again, "0 addresses made canonical, 3 left as they are") {
		t.Errorf("second run:\n%s", again)
	}
}
