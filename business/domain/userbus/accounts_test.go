package userbus_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/throttle"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/business/types/role"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// TestLoginThrottling: failures lock an account after its free ones, with
// waits that double, before any password is checked; another account goes
// on; a success resets the account; many failures from one address lock
// the address for every account.
func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	bus := newBusAt(t, clk)
	create(t, bus, "Ann", "ann@example.com", role.User)
	create(t, bus, "Ben", "ben@example.com", role.User)
	ann, ben := dbtest.Must(email.Parse("ann@example.com")), dbtest.Must(email.Parse("ben@example.com"))
	const from = "192.0.2.1"

	// Three failures are checked; the third locks the account.
	for i := range 3 {
		if _, err := bus.Authenticate(ctx, ann, "wrong", from); !errors.Is(err, userbus.ErrAuthenticationFailure) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	// Locked: even the right password waits, and the answer says how long.
	if _, err := bus.Authenticate(ctx, ann, "gophers", from); retryAfter(err) != time.Minute {
		t.Fatalf("locked account: %v, want a 1m wait", err)
	}
	// Case does not dodge the lock.
	if _, err := bus.Authenticate(ctx, dbtest.Must(email.Parse("ANN@example.com")), "gophers", from); retryAfter(err) == 0 {
		t.Errorf("locked account in upper case: %v, want a wait", err)
	}
	// Another account from the same address logs in.
	if _, err := bus.Authenticate(ctx, ben, "gophers", from); err != nil {
		t.Errorf("another account: %v", err)
	}

	// After the wait, one more failure locks it twice as long.
	clk.add(time.Minute)
	if _, err := bus.Authenticate(ctx, ann, "wrong", from); !errors.Is(err, userbus.ErrAuthenticationFailure) {
		t.Fatalf("failure 4: %v", err)
	}
	if _, err := bus.Authenticate(ctx, ann, "gophers", from); retryAfter(err) != 2*time.Minute {
		t.Errorf("after failure 4: %v, want a 2m wait", err)
	}

	// A success resets the account.
	clk.add(2 * time.Minute)
	if _, err := bus.Authenticate(ctx, ann, "gophers", from); err != nil {
		t.Fatalf("right password after the wait: %v", err)
	}
	for i := range 2 {
		if _, err := bus.Authenticate(ctx, ann, "wrong", from); !errors.Is(err, userbus.ErrAuthenticationFailure) {
			t.Fatalf("failure %d after the reset: %v, want free failures again", i+1, err)
		}
	}
	if _, err := bus.Authenticate(ctx, ann, "gophers", from); err != nil {
		t.Errorf("two failures after the reset lock nothing: %v", err)
	}

	// Ten failures from one address, spread over accounts that may not
	// exist, lock the address for all of them.
	const sprayer = "198.51.100.7"
	for i := range 10 {
		addr := dbtest.Must(email.Parse("nobody" + string(rune('a'+i)) + "@example.com"))
		if _, err := bus.Authenticate(ctx, addr, "x", sprayer); !errors.Is(err, userbus.ErrAuthenticationFailure) {
			t.Fatalf("spray %d: %v", i, err)
		}
	}
	if _, err := bus.Authenticate(ctx, ben, "gophers", sprayer); retryAfter(err) == 0 {
		t.Errorf("from a locked address: %v, want a wait", err)
	}
	if _, err := bus.Authenticate(ctx, ben, "gophers", from); err != nil {
		t.Errorf("the same account from another address: %v", err)
	}
}

// TestLoginCountsEveryAttemptFirst: attempts are counted before the
// password is checked, so a concurrent burst gets the free checks and no
// more; a success gives its count back to the client address; an attempt
// refused for its address does not count against the account.
func TestLoginCountsEveryAttemptFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	bus := newBusAt(t, clk)
	create(t, bus, "Ann", "ann@example.com", role.User)
	create(t, bus, "Ben", "ben@example.com", role.User)
	ann, ben := dbtest.Must(email.Parse("ann@example.com")), dbtest.Must(email.Parse("ben@example.com"))

	// A burst of 30 wrong passwords at once: the 3 free ones are checked.
	var (
		mu      sync.Mutex
		answers = map[string]int{}
		wg      sync.WaitGroup
	)
	start := make(chan struct{})
	for range 30 {
		wg.Go(func() {
			<-start
			_, err := bus.Authenticate(ctx, ann, "wrong", "192.0.2.1")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, userbus.ErrAuthenticationFailure):
				answers["checked"]++
			case retryAfter(err) > 0:
				answers["throttled"]++
			default:
				t.Errorf("burst: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if diff := cmp.Diff(map[string]int{"checked": 3, "throttled": 27}, answers); diff != "" {
		t.Errorf("burst (-want +got):\n%s", diff)
	}

	// Twelve successes from one address use none of its ten failures.
	const office = "192.0.2.2"
	for i := range 12 {
		if _, err := bus.Authenticate(ctx, ben, "gophers", office); err != nil {
			t.Fatalf("success %d: %v", i+1, err)
		}
	}
	for i := range 10 {
		addr := dbtest.Must(email.Parse("nobody" + string(rune('a'+i)) + "@example.com"))
		if _, err := bus.Authenticate(ctx, addr, "x", office); !errors.Is(err, userbus.ErrAuthenticationFailure) {
			t.Fatalf("failure %d after the successes: %v, want it checked", i+1, err)
		}
	}

	// The address is locked now: its attempts at Ben are refused and
	// leave Ben's three free failures to anyone else.
	for i := range 5 {
		if _, err := bus.Authenticate(ctx, ben, "wrong", office); retryAfter(err) == 0 {
			t.Fatalf("attempt %d from the locked address: %v, want a wait", i+1, err)
		}
	}
	for i := range 3 {
		if _, err := bus.Authenticate(ctx, ben, "wrong", "192.0.2.3"); !errors.Is(err, userbus.ErrAuthenticationFailure) {
			t.Fatalf("failure %d from elsewhere: %v, want it checked", i+1, err)
		}
	}
	if _, err := bus.Authenticate(ctx, ben, "gophers", "192.0.2.3"); retryAfter(err) != time.Minute {
		t.Errorf("after three failures: %v, want a 1m wait", err)
	}
}

func TestSignupThrottlingAndRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	bus := newBusAt(t, clk)

	// Signup makes a USER whatever it is asked for.
	usr, err := bus.Signup(ctx, newUser("Cal", "cal@example.com", role.Admin), "192.0.2.9")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"USER"}, role.Strings(usr.Roles)); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	// A taken email is reported to the caller, who may hide it.
	if _, err := bus.Signup(ctx, newUser("Cal", "cal@example.com", role.User), "192.0.2.9"); !errors.Is(err, userbus.ErrUniqueEmail) {
		t.Errorf("taken email: %v, want ErrUniqueEmail", err)
	}
	// Two signups (of any outcome) use up the address's allowance.
	if _, err := bus.Signup(ctx, newUser("Dot", "dot@example.com", role.User), "192.0.2.9"); retryAfter(err) == 0 {
		t.Errorf("third signup from one address: %v, want a wait", err)
	}
	if _, err := bus.Signup(ctx, newUser("Dot", "dot@example.com", role.User), "192.0.2.10"); err != nil {
		t.Errorf("from another address: %v", err)
	}
}

// TestCredentialChanges: changing one's own email or password takes the
// current password; an admin changing another user does not; a new
// password, new roles and disabling each raise the token version.
func TestCredentialChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bus := newBus(t)
	admin := create(t, bus, "Ada", "ada@example.com", role.Admin)
	usr := create(t, bus, "Eli", "eli@example.com", role.User)
	pw := dbtest.Must(password.Parse("another-secret"))
	newAddr := dbtest.Must(email.Parse("eli2@example.com"))
	wrong, right := "nope", "gophers"
	off := false
	dept := "toys"

	tests := []struct {
		name        string
		actor       uuid.UUID
		change      userbus.UpdateUser
		wantErr     error
		wantVersion int // after the change
	}{
		{"own password without the current one", usr.ID, userbus.UpdateUser{Password: &pw}, userbus.ErrCurrentPassword, 0},
		{"own password with a wrong one", usr.ID, userbus.UpdateUser{Password: &pw, CurrentPassword: &wrong}, userbus.ErrCurrentPassword, 0},
		{"own email without the current one", usr.ID, userbus.UpdateUser{Email: &newAddr}, userbus.ErrCurrentPassword, 0},
		{"own department needs none", usr.ID, userbus.UpdateUser{Department: &dept}, nil, 0},
		{"own email with it, no revocation", usr.ID, userbus.UpdateUser{Email: &newAddr, CurrentPassword: &right}, nil, 0},
		{"own password with it revokes", usr.ID, userbus.UpdateUser{Password: &pw, CurrentPassword: &right}, nil, 1},
		{"an admin sets another's password", admin.ID, userbus.UpdateUser{Password: &pw}, nil, 2},
		{"the same roles do not revoke", admin.ID, userbus.UpdateUser{Roles: []role.Role{role.User}}, nil, 2},
		{"a role change revokes", admin.ID, userbus.UpdateUser{Roles: []role.Role{role.Admin, role.User}}, nil, 3},
		{"the same roles in another order do not", admin.ID, userbus.UpdateUser{Roles: []role.Role{role.User, role.Admin}}, nil, 3},
		{"a role taken away revokes", admin.ID, userbus.UpdateUser{Roles: []role.Role{role.User}}, nil, 4},
		{"disabling revokes", admin.ID, userbus.UpdateUser{Enabled: &off}, nil, 5},
		{"disabling the disabled does not again", admin.ID, userbus.UpdateUser{Enabled: &off}, nil, 5},
	}
	for _, tt := range tests {
		_, err := bus.Update(ctx, tt.actor, usr.ID, tt.change)
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.wantErr)
		}
		got, err := bus.QueryByID(ctx, usr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.TokenVersion != tt.wantVersion {
			t.Errorf("%s: token version %d, want %d", tt.name, got.TokenVersion, tt.wantVersion)
		}
	}
}

// TestTheLastAdminStays: the last enabled ADMIN can be neither demoted,
// disabled nor deleted; with two, one may go; and two admins demoting each
// other at the same moment leave one.
func TestTheLastAdminStays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bus := newBus(t)
	a := create(t, bus, "Ada", "ada@example.com", role.Admin)
	off := false
	demote := userbus.UpdateUser{Roles: []role.Role{role.User}}

	for name, try := range map[string]func() error{
		"demote":  func() error { _, err := bus.Update(ctx, a.ID, a.ID, demote); return err },
		"disable": func() error { _, err := bus.Update(ctx, a.ID, a.ID, userbus.UpdateUser{Enabled: &off}); return err },
		"delete":  func() error { return bus.Delete(ctx, a.ID, a.ID) },
	} {
		if err := try(); !errors.Is(err, userbus.ErrLastAdmin) {
			t.Errorf("%s the last admin: %v, want ErrLastAdmin", name, err)
		}
	}

	for round := range 5 {
		b := create(t, bus, "Bo", "bo"+string(rune('a'+round))+"@example.com", role.Admin)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Go(func() { <-start; _, errs[0] = bus.Update(ctx, b.ID, a.ID, demote) })
		wg.Go(func() { <-start; _, errs[1] = bus.Update(ctx, a.ID, b.ID, demote) })
		close(start)
		wg.Wait()

		var won int
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, userbus.ErrLastAdmin):
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d demotions succeeded, want exactly 1", round, won)
		}
		// Make a the admin again for the next round, b a user.
		if errs[0] == nil {
			if _, err := bus.Update(ctx, uuid.Nil, a.ID, userbus.UpdateUser{Roles: []role.Role{role.Admin}}); err != nil {
				t.Fatal(err)
			}
			if _, err := bus.Update(ctx, uuid.Nil, b.ID, demote); err != nil {
				t.Fatal(err)
			}
		}
		admins := 0
		users, err := bus.Query(ctx, userbus.QueryFilter{}, userbus.DefaultOrderBy, pageAll)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users.Items {
			if u.IsEnabledAdmin() {
				admins++
			}
		}
		if admins != 1 {
			t.Fatalf("round %d: %d enabled admins, want 1", round, admins)
		}
	}
}

// TestThrottledErrorSaysWhen: the logged wait is the Retry-After a client
// is sent, whole seconds rounded up and never zero.
func TestThrottledErrorSaysWhen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		wait time.Duration
		want string
	}{
		{0, "too many attempts: retry in 1s"},
		{300 * time.Millisecond, "too many attempts: retry in 1s"},
		{time.Second, "too many attempts: retry in 1s"},
		{1500 * time.Millisecond, "too many attempts: retry in 2s"},
		{2 * time.Minute, "too many attempts: retry in 2m0s"},
	}
	for _, tt := range tests {
		got := (&userbus.ThrottledError{RetryAfter: tt.wait}).Error()
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("wait %s (-want +got):\n%s", tt.wait, diff)
		}
	}
}

// TestAStolenTokenLocksOutOnlyTheThief: a thief holding the owner's token
// and failing at the current password is locked out of it with that
// token, from any client; the owner, logged in again, still changes the
// password that ends the thief's session, and the thief's email changes
// used up none of the owner's.
func TestAStolenTokenLocksOutOnlyTheThief(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t, t.Name())
	bus := domain.New(domain.Config{DB: db.DB, Log: db.Log, Throttling: userbus.Throttling{
		LoginAccount: throttle.Policy{Free: 3, Window: time.Hour, Base: time.Minute, Max: 10 * time.Minute},
		EmailChange:  throttle.Policy{Free: 2, Window: 24 * time.Hour, Base: time.Hour, Max: 24 * time.Hour},
	}}).User
	usr := create(t, bus, "Eli", "eli@example.com", role.User)
	// The stolen token's session, and the one the owner's login made.
	const thief, owner = "stolen-token", "owners-new-token"
	guess, right := "guess", "gophers"

	for i := range 6 {
		addr := dbtest.Must(email.Parse("thief" + string(rune('a'+i)) + "@example.com"))
		pw := dbtest.Must(password.Parse("thief-secret"))
		for _, change := range []userbus.UpdateUser{
			{Password: &pw, CurrentPassword: &guess, Session: thief},
			{Email: &addr, CurrentPassword: &guess, Session: thief},
		} {
			_, err := bus.Update(ctx, usr.ID, usr.ID, change)
			if !errors.Is(err, userbus.ErrCurrentPassword) && retryAfter(err) == 0 {
				t.Fatalf("thief's change %d: %v, want refused", i+1, err)
			}
		}
	}
	pw := dbtest.Must(password.Parse("owner-secret"))
	if _, err := bus.Update(ctx, usr.ID, usr.ID, userbus.UpdateUser{Password: &pw, CurrentPassword: &right, Session: owner}); err != nil {
		t.Fatalf("the owner's new password: %v", err)
	}
	right = "owner-secret"
	addr := dbtest.Must(email.Parse("eli2@example.com"))
	if _, err := bus.Update(ctx, usr.ID, usr.ID, userbus.UpdateUser{Email: &addr, CurrentPassword: &right, Session: owner}); err != nil {
		t.Fatalf("the owner's new email: %v", err)
	}
}

// TestOverlongPasswordsCountAgainstNothing: a password longer than bcrypt
// reads is no one's, so its login fails without a check and fills none of
// the limits, the service-wide ceiling included: a newcomer still logs in.
func TestOverlongPasswordsCountAgainstNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t, t.Name())
	bus := domain.New(domain.Config{DB: db.DB, Log: db.Log, Throttling: userbus.Throttling{
		LoginCeiling: throttle.Policy{Free: 5, Window: time.Minute, Base: 5 * time.Second, Max: time.Minute},
	}}).User
	create(t, bus, "Ann", "ann@example.com", role.User)
	ann := dbtest.Must(email.Parse("ann@example.com"))

	long := strings.Repeat("x", password.MaxBytes+1)
	for i := range 20 {
		if _, err := bus.Authenticate(ctx, ann, long, fmt.Sprintf("198.51.100.%d", i)); !errors.Is(err, userbus.ErrAuthenticationFailure) {
			t.Fatalf("overlong %d: %v, want an authentication failure", i+1, err)
		}
	}
	if _, err := bus.Authenticate(ctx, ann, "gophers", "192.0.2.1"); err != nil {
		t.Errorf("a newcomer after 20 overlong passwords: %v, want logged in", err)
	}
}

// TestSweepsKeepEachPolicysWindow: the throttles' sweep forgets each
// policy's counters past that policy's window, and no sooner
// (Throttling.Sweeps): a day's email changes are still counted after a
// sweep two hours on, which, sweeping every counter idle for an hour, used
// to start them over; the login counters of the same sweep are gone.
func TestSweepsKeepEachPolicysWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	db := dbtest.New(t, t.Name())
	throttling := userbus.Throttling{EmailChange: throttle.Policy{Free: 2, Window: 24 * time.Hour, Base: time.Hour, Max: 24 * time.Hour}}
	bus := domain.New(domain.Config{DB: db.DB, Now: clk.now, Log: db.Log, Throttling: throttling}).User
	usr := create(t, bus, "Eli", "eli@example.com", role.User)
	right := "gophers"
	change := func(i int) error {
		addr := dbtest.Must(email.Parse(fmt.Sprintf("eli%d@example.com", i)))
		_, err := bus.Update(ctx, usr.ID, usr.ID, userbus.UpdateUser{Email: &addr, CurrentPassword: &right, Session: "s"})
		return err
	}
	for i := range 2 {
		if err := change(i); err != nil {
			t.Fatalf("email change %d: %v", i+1, err)
		}
	}
	if _, err := bus.Authenticate(ctx, usr.Email, "wrong", "10.0.0.1"); !errors.Is(err, userbus.ErrAuthenticationFailure) {
		t.Fatalf("a wrong password: %v", err)
	}

	// kinds are the counters left after a sweep at d past the attempts.
	kinds := func(d time.Duration) []string {
		clk.add(d)
		for _, sw := range throttling.Sweeps() {
			if _, err := throttle.New(db.DB, clk.now).DeleteExpired(ctx, sw.Prefix, sw.Idle, 100); err != nil {
				t.Fatal(err)
			}
		}
		var left []string
		const q = `SELECT CASE WHEN key LIKE 'login:%' THEN split_part(key, ':', 1) || ':' || split_part(key, ':', 2)
			ELSE split_part(key, ':', 1) END AS kind FROM throttles ORDER BY 1`
		if err := db.DB.SelectContext(ctx, &left, q); err != nil {
			t.Fatal(err)
		}
		return left
	}
	// Within the logins' window of 15 minutes, everything stays; past it,
	// their many-keyed counters go, the email changes' stay a day, and so
	// does the service-wide one.
	if diff := cmp.Diff([]string{"current-password", "email-change", "login:account", "login:ceiling", "login:client"}, kinds(10*time.Minute)); diff != "" {
		t.Errorf("counters left after a sweep 10 minutes on (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"email-change", "login:ceiling"}, kinds(2*time.Hour)); diff != "" {
		t.Errorf("counters left after a sweep 2 hours on (-want +got):\n%s", diff)
	}

	// The lock the second change set has passed: a third goes, and sets a
	// longer one, which a fourth meets. Forgotten, the count would start
	// over.
	if err := change(2); err != nil {
		t.Fatalf("email change 3, its lock passed: %v", err)
	}
	if err := change(3); retryAfter(err) == 0 {
		t.Errorf("a fourth email change the same day, after a sweep: %v, want throttled", err)
	}
}
