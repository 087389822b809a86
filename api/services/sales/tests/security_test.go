package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/app/domain/userapp"
	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/domain/userbus/stores/userdb"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/logger"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// replica builds another API handler on e's database, with a pool of its
// own: a second replica shares nothing with the first but Postgres.
func (e *env) replica(t *testing.T, tune func(*build.Config)) http.Handler {
	t.Helper()
	pool, err := sqldb.OpenURL(e.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	cfg := build.Config{Build: "test", Log: logger.Discard(), DB: pool.DB, Auth: e.auth, ActiveKID: kid, TokenTTL: tokenTTL}
	if tune != nil {
		tune(&cfg)
	}
	return build.WebAPI(cfg)
}

// cachingReplica is a replica that caches authenticated users, as
// sales-api does, its cache kept by a listener of its own.
func (e *env) cachingReplica(t *testing.T) http.Handler {
	t.Helper()
	pool, err := sqldb.OpenURL(e.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	return e.cachingAPI(t, pool)
}

// cachingAPI is the API over pool, caching authenticated users as
// sales-api does; pool is closed when t ends.
func (e *env) cachingAPI(t *testing.T, pool *sqldb.DB) http.Handler {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); pool.Close() })
	cache := userbus.NewCache(100, pool.DB, userdb.Store{})
	go userdb.Listen(ctx, pool.ConnConfig(), cache, logger.Discard().Warn)
	for deadline := time.Now().Add(5 * time.Second); !cache.Live(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the replica's user cache did not go live")
		}
	}
	return build.WebAPI(build.Config{Build: "test", Log: logger.Discard(), DB: pool.DB, Auth: e.auth, ActiveKID: kid, TokenTTL: tokenTTL, UserCache: cache})
}

// TestRevocationReachesEveryCache: two replicas that cache authenticated
// users. A user whose every request is served from replica B's cache is
// disabled through replica A, or loses their ADMIN role there; B refuses
// their very next request.
func TestRevocationReachesEveryCache(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, b := e.cachingReplica(t), e.cachingReplica(t)
	self := "/v1/users/" + e.user1.ID.String()

	for round := range 10 {
		usr, err := e.userBus.QueryByID(t.Context(), e.user1.ID)
		if err != nil {
			t.Fatal(err)
		}
		tkn := e.token(t, usr)
		for range 3 { // cached on B after the first
			if got := send(t, b, http.MethodGet, self, tkn, nil, nil); got.status != http.StatusOK {
				t.Fatalf("round %d: before: %d %s", round, got.status, got.body)
			}
		}
		if got := send(t, a, http.MethodPut, self, e.tokens["admin"], map[string]any{"enabled": false}, nil); got.status != http.StatusOK {
			t.Fatalf("round %d: disable: %d %s", round, got.status, got.body)
		}
		if got := send(t, b, http.MethodGet, self, tkn, nil, nil); got.status != http.StatusUnauthorized {
			t.Fatalf("round %d: the disabled user's next request on the other replica: %d, want 401", round, got.status)
		}
		if got := send(t, a, http.MethodPut, self, e.tokens["admin"], map[string]any{"enabled": true}, nil); got.status != http.StatusOK {
			t.Fatalf("round %d: enable: %d %s", round, got.status, got.body)
		}
	}

	// A role change: B's cached ADMIN loses the admin routes at once.
	if got := send(t, b, http.MethodGet, "/v1/users", e.tokens["admin"], nil, nil); got.status != http.StatusOK {
		t.Fatalf("admin before: %d", got.status)
	}
	if got := send(t, a, http.MethodPut, "/v1/users/role/"+e.user2.ID.String(), e.tokens["admin"], map[string]any{"roles": []string{"ADMIN"}}, nil); got.status != http.StatusOK {
		t.Fatalf("promote user2: %d %s", got.status, got.body)
	}
	if got := send(t, a, http.MethodPut, "/v1/users/role/"+e.admin.ID.String(), e.tokens["admin"], map[string]any{"roles": []string{"USER"}}, nil); got.status != http.StatusOK {
		t.Fatalf("demote admin: %d %s", got.status, got.body)
	}
	if got := send(t, b, http.MethodGet, "/v1/users", e.tokens["admin"], nil, nil); got.status != http.StatusUnauthorized {
		t.Errorf("the demoted admin's next request on the other replica: %d, want 401", got.status)
	}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func send(t *testing.T, h http.Handler, method, url, token string, body any, header http.Header) answer {
	t.Helper()
	resp := apitest.Do(t, h, method, url, token, body, header)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (a answer) code() errs.Code {
	var e errs.Error
	_ = json.Unmarshal([]byte(a.body), &e)
	return e.Code
}

// TestLoginThrottling: forty wrong passwords for one account, and the
// account is locked after five, before any password is checked, with
// Retry-After; another account logs in meanwhile; and a second replica on
// the same database enforces the same lock.
func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tokenURL := "/v1/users/token/" + kid
	other := e.replica(t, nil)

	statuses := map[int]int{}
	for i := range 40 {
		a := send(t, e.h, http.MethodGet, tokenURL, "", nil, basic("bob@example.com", "wrong-password"))
		statuses[a.status]++
		switch {
		case i < 5 && a.status != http.StatusUnauthorized:
			t.Errorf("attempt %d: %d %s, want 401 while failures are free", i+1, a.status, a.body)
		case a.status == http.StatusTooManyRequests:
			if secs, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil || secs < 1 {
				t.Errorf("attempt %d: 429 with Retry-After %q", i+1, a.header.Get("Retry-After"))
			}
			if a.code() != errs.TooManyRequests {
				t.Errorf("attempt %d: code %s", i+1, a.code())
			}
		case a.status != http.StatusUnauthorized:
			t.Errorf("attempt %d: %d %s, want 401 or 429", i+1, a.status, a.body)
		}
	}
	if statuses[http.StatusTooManyRequests] < 30 {
		t.Errorf("statuses %v: want most of the 40 refused with 429", statuses)
	}

	// Locked means locked: the right password waits too, on either replica.
	for name, h := range map[string]http.Handler{"this replica": e.h, "another replica": other} {
		if a := send(t, h, http.MethodGet, tokenURL, "", nil, basic("bob@example.com", passwd)); a.status != http.StatusTooManyRequests {
			t.Errorf("right password on %s while locked: %d, want 429", name, a.status)
		}
	}
	// Another account, from the same address, is not held up.
	if a := send(t, other, http.MethodGet, tokenURL, "", nil, basic("cat@example.com", passwd)); a.status != http.StatusOK {
		t.Errorf("another account: %d %s, want 200", a.status, a.body)
	}
	// The answer never says whether the account exists or is disabled.
	for _, who := range []string{"nobody@example.com", "dan@example.com"} {
		if a := send(t, other, http.MethodGet, tokenURL, "", nil, basic(who, passwd)); a.status != http.StatusUnauthorized || !strings.Contains(a.body, "authentication failed") {
			t.Errorf("%s: %d %s, want the same 401 as a wrong password", who, a.status, a.body)
		}
	}
}

// TestLoginBurst: sixty wrong passwords for one account, all at once, and
// only the five free ones are checked (401); the rest are refused before
// any bcrypt with 429 and Retry-After. Another account logs in meanwhile.
func TestLoginBurst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tokenURL := "/v1/users/token/" + kid
	// The default first lock is a second; on a loaded machine the burst
	// may outlast it, and one attempt after a lock is rightly let through.
	// A minute-long first lock makes the count exact.
	h := e.replica(t, func(cfg *build.Config) {
		cfg.Throttling = userbus.DefaultThrottling
		cfg.Throttling.LoginAccount.Base = time.Minute
	})
	free := userbus.DefaultThrottling.LoginAccount.Free

	const burst = 60
	answers := make([]answer, burst)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range burst {
		wg.Go(func() {
			<-start
			answers[i] = send(t, h, http.MethodGet, tokenURL, "", nil, basic("bob@example.com", "wrong-password"))
		})
	}
	close(start)
	wg.Wait()

	statuses := map[int]int{}
	for i, a := range answers {
		statuses[a.status]++
		if a.status != http.StatusTooManyRequests {
			continue
		}
		if secs, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil || secs < 1 {
			t.Errorf("answer %d: 429 with Retry-After %q", i, a.header.Get("Retry-After"))
		}
		if a.code() != errs.TooManyRequests {
			t.Errorf("answer %d: code %s", i, a.code())
		}
	}
	want := map[int]int{http.StatusUnauthorized: free, http.StatusTooManyRequests: burst - free}
	if diff := cmp.Diff(want, statuses); diff != "" {
		t.Errorf("statuses of the burst (-want +got):\n%s", diff)
	}

	if a := send(t, h, http.MethodGet, tokenURL, "", nil, basic("bob@example.com", passwd)); a.status != http.StatusTooManyRequests {
		t.Errorf("right password after the burst: %d, want 429", a.status)
	}
	if a := send(t, h, http.MethodGet, tokenURL, "", nil, basic("cat@example.com", passwd)); a.status != http.StatusOK {
		t.Errorf("another account after the burst: %d %s, want 200", a.status, a.body)
	}
}

func TestSignup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	open := e.replica(t, func(c *build.Config) { c.Signup = true })
	closed := e.replica(t, nil)
	body := func(addr string) map[string]any {
		return map[string]any{"name": "New Person", "email": addr, "password": "secret12", "passwordConfirm": "secret12"}
	}

	fresh := send(t, open, http.MethodPost, "/v1/users/signup", "", body("new@example.com"), nil)
	if fresh.status != http.StatusAccepted {
		t.Fatalf("signup: %d %s", fresh.status, fresh.body)
	}
	// A taken email gets the very same answer.
	taken := send(t, open, http.MethodPost, "/v1/users/signup", "", body("BOB@example.com"), nil)
	if taken.status != fresh.status || taken.body != fresh.body {
		t.Errorf("taken email: %d %s; want the same as a new one: %d %s", taken.status, taken.body, fresh.status, fresh.body)
	}

	// The new account logs in, as a USER.
	a := send(t, open, http.MethodGet, "/v1/users/token/"+kid, "", nil, basic("new@example.com", "secret12"))
	var tkn userapp.Token
	if err := json.Unmarshal([]byte(a.body), &tkn); a.status != http.StatusOK || err != nil {
		t.Fatalf("log in as the new user: %d %s", a.status, a.body)
	}
	claims, err := e.auth.Authenticate(t.Context(), "Bearer "+tkn.Token)
	if err != nil || strings.Join(claims.Roles, ",") != "USER" {
		t.Errorf("the new user's roles: %v (%v), want USER", claims.Roles, err)
	}

	apitest.Run(t, open, []apitest.Case{
		{Name: "a role cannot be asked for", Method: http.MethodPost, URL: "/v1/users/signup",
			Body:       map[string]any{"name": "X", "email": "x@example.com", "password": "secret12", "passwordConfirm": "secret12", "roles": []string{"ADMIN"}},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "roles"), Cmp: cmpErr},
		{Name: "passwords must match", Method: http.MethodPost, URL: "/v1/users/signup",
			Body:       map[string]any{"name": "X", "email": "x@example.com", "password": "secret12", "passwordConfirm": "secret13"},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "passwordConfirm"), Cmp: cmpErr},
	})

	// Five signups from one address (two were made above, and each bad
	// body above made none), then a wait.
	for i := range 3 {
		if a := send(t, open, http.MethodPost, "/v1/users/signup", "", body("more"+strconv.Itoa(i)+"@example.com"), nil); a.status != http.StatusAccepted {
			t.Fatalf("signup %d: %d %s", i+3, a.status, a.body)
		}
	}
	if a := send(t, open, http.MethodPost, "/v1/users/signup", "", body("onemore@example.com"), nil); a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Errorf("sixth signup from one address: %d %s, want 429 with Retry-After", a.status, a.body)
	}

	if a := send(t, closed, http.MethodPost, "/v1/users/signup", "", body("late@example.com"), nil); a.status != http.StatusForbidden {
		t.Errorf("signup turned off: %d %s, want 403", a.status, a.body)
	}
}

// TestCredentialChangesRevokeTokens: a user's own password change takes
// the current password and ends every session; so does a role change.
func TestCredentialChangesRevokeTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	self := "/v1/users/" + e.user1.ID.String()
	newPass := map[string]any{"password": "brand-new-1", "passwordConfirm": "brand-new-1"}

	apitest.Run(t, e.h, []apitest.Case{
		{Name: "without the current password", Method: http.MethodPut, URL: self, Token: e.tokens["user1"], Body: newPass,
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied, "currentPassword"), Cmp: cmpErr},
		{Name: "with a wrong one", Method: http.MethodPut, URL: self, Token: e.tokens["user1"],
			Body:       map[string]any{"password": "brand-new-1", "passwordConfirm": "brand-new-1", "currentPassword": "not-it"},
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied, "currentPassword"), Cmp: cmpErr},
		{Name: "email without it", Method: http.MethodPut, URL: self, Token: e.tokens["user1"], Body: map[string]any{"email": "bobby@example.com"},
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied, "currentPassword"), Cmp: cmpErr},
	})

	withCurrent := map[string]any{"password": "brand-new-1", "passwordConfirm": "brand-new-1", "currentPassword": passwd}
	if a := send(t, e.h, http.MethodPut, self, e.tokens["user1"], withCurrent, nil); a.status != http.StatusOK {
		t.Fatalf("change with the current password: %d %s", a.status, a.body)
	}
	if a := send(t, e.h, http.MethodGet, self, e.tokens["user1"], nil, nil); a.status != http.StatusUnauthorized {
		t.Errorf("the token from before the change: %d, want 401", a.status)
	}
	if a := send(t, e.h, http.MethodGet, "/v1/users/token/"+kid, "", nil, basic("bob@example.com", "brand-new-1")); a.status != http.StatusOK {
		t.Errorf("log in with the new password: %d %s", a.status, a.body)
	}

	// An admin's role change ends the user's sessions too.
	if a := send(t, e.h, http.MethodGet, "/v1/users/"+e.user2.ID.String(), e.tokens["user2"], nil, nil); a.status != http.StatusOK {
		t.Fatalf("user2 before: %d", a.status)
	}
	if a := send(t, e.h, http.MethodPut, "/v1/users/role/"+e.user2.ID.String(), e.tokens["admin"], map[string]any{"roles": []string{"USER", "ADMIN"}}, nil); a.status != http.StatusOK {
		t.Fatalf("role change: %d %s", a.status, a.body)
	}
	if a := send(t, e.h, http.MethodGet, "/v1/users/"+e.user2.ID.String(), e.tokens["user2"], nil, nil); a.status != http.StatusUnauthorized {
		t.Errorf("user2's token after a role change: %d, want 401", a.status)
	}
}

// TestTheLastAdminStaysOverHTTP: an admin cannot demote, disable or
// delete themselves when alone; two admins demoting each other at once
// leave one.
func TestTheLastAdminStaysOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	adminURL := "/v1/users/" + e.admin.ID.String()
	conflict := func(n, method, url string, body any) apitest.Case {
		return apitest.Case{Name: n, Method: method, URL: url, Token: e.tokens["admin"], Body: body,
			StatusCode: http.StatusConflict, Got: &errs.Error{}, Exp: errBody(errs.Aborted), Cmp: cmpErr}
	}
	apitest.Run(t, e.h, []apitest.Case{
		conflict("demote", http.MethodPut, "/v1/users/role/"+e.admin.ID.String(), map[string]any{"roles": []string{"USER"}}),
		conflict("disable", http.MethodPut, adminURL, map[string]any{"enabled": false}),
		conflict("delete", http.MethodDelete, adminURL, nil),
	})

	// user2 becomes the second admin, with a fresh token.
	if a := send(t, e.h, http.MethodPut, "/v1/users/role/"+e.user2.ID.String(), e.tokens["admin"], map[string]any{"roles": []string{"ADMIN"}}, nil); a.status != http.StatusOK {
		t.Fatalf("promote user2: %d %s", a.status, a.body)
	}
	usr, err := e.userBus.QueryByID(t.Context(), e.user2.ID)
	if err != nil {
		t.Fatal(err)
	}
	second := e.token(t, usr)

	var wg sync.WaitGroup
	statuses := make([]int, 2)
	start := make(chan struct{})
	demote := map[string]any{"roles": []string{"USER"}}
	wg.Go(func() {
		<-start
		statuses[0] = send(t, e.h, http.MethodPut, "/v1/users/role/"+e.user2.ID.String(), e.tokens["admin"], demote, nil).status
	})
	wg.Go(func() {
		<-start
		statuses[1] = send(t, e.h, http.MethodPut, "/v1/users/role/"+e.admin.ID.String(), second, demote, nil).status
	})
	close(start)
	wg.Wait()
	// The loser is refused as the last admin (409), or, when the winner's
	// demotion landed first, for a session that demotion ended (401).
	ok := 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusConflict, http.StatusUnauthorized:
		default:
			t.Errorf("a demotion answered %d", s)
		}
	}
	if ok != 1 {
		t.Errorf("statuses %v: want exactly one demotion to succeed", statuses)
	}
	var admins int
	if err := e.db.DB.Get(&admins, `SELECT count(*) FROM users WHERE enabled AND 'ADMIN' = ANY(roles)`); err != nil || admins != 1 {
		t.Errorf("enabled admins: %d (%v), want 1", admins, err)
	}
}

// TestOwnEmailChangeRevealsNothing: changing one's own email to an address
// another account has answers exactly as changing it to a free one, and
// leaves both accounts as they were; every change, taken or free, counts
// against the daily limit.
func TestOwnEmailChangeRevealsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	self := "/v1/users/" + e.user1.ID.String()
	change := func(addr string) answer {
		return send(t, e.h, http.MethodPut, self, e.tokens["user1"], map[string]any{"email": addr, "name": "Bob " + addr, "currentPassword": passwd}, nil)
	}

	taken := change("CAT@example.com")
	free := change("bob.new@example.com")
	if taken.status != http.StatusAccepted || taken.status != free.status || taken.body != free.body {
		t.Errorf("taken address: %d %s; free one: %d %s; want the same 202", taken.status, taken.body, free.status, free.body)
	}
	bob, err := e.userBus.QueryByID(t.Context(), e.user1.ID)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := e.userBus.QueryByID(t.Context(), e.user2.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{bob.Email.String(), bob.Name.String(), cat.Email.String()}
	want := []string{"bob.new@example.com", "Bob bob.new@example.com", "cat@example.com"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the two changes (-want +got):\n%s", diff)
	}

	// Five changes a day: two above, three more, then a wait.
	for i := range 3 {
		if a := change(fmt.Sprintf("bob%d@example.com", i)); a.status != http.StatusAccepted {
			t.Fatalf("change %d: %d %s", i+3, a.status, a.body)
		}
	}
	if a := change("ada@example.com"); a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Errorf("sixth change in a day: %d %s, want 429 with Retry-After", a.status, a.body)
	}
}

// TestRevocationFailsClosed: a replica whose listener's connection goes
// silent (a proxy the test controls drops every packet, as a broken
// network does) stops serving users from its cache within seconds, so a
// user disabled meanwhile is refused there; and the admin who disabled
// them is told that a replica did not acknowledge, not just the log.
func TestRevocationFailsClosed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	proxy := dbtest.NewProxy(t, e.db.URL)

	// Replica B: queries straight to Postgres, its listener through the
	// proxy.
	pool, err := sqldb.OpenURL(e.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); pool.Close() })
	listenCfg, err := pgx.ParseConfig(proxy.URL(e.db.URL))
	if err != nil {
		t.Fatal(err)
	}
	cache := userbus.NewCache(100, pool.DB, userdb.Store{})
	go userdb.Listen(ctx, listenCfg, cache, logger.Discard().Warn)
	for deadline := time.Now().Add(5 * time.Second); !cache.Live(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("replica B's user cache did not go live")
		}
	}
	b := build.WebAPI(build.Config{Build: "test", Log: logger.Discard(), DB: pool.DB, Auth: e.auth, ActiveKID: kid, TokenTTL: tokenTTL, UserCache: cache})
	self := "/v1/users/" + e.user1.ID.String()
	for range 2 {
		if a := send(t, b, http.MethodGet, self, e.tokens["user1"], nil, nil); a.status != http.StatusOK {
			t.Fatalf("user1 on replica B: %d %s", a.status, a.body)
		}
	}

	proxy.BlackHole(true)
	start := time.Now()
	a := send(t, e.h, http.MethodPut, self, e.tokens["admin"], map[string]any{"enabled": false}, nil)
	if a.status != http.StatusOK {
		t.Fatalf("disable user1: %d %s", a.status, a.body)
	}
	if got := a.header.Get(userapp.CachesBehindHeader); !strings.HasPrefix(got, "1;") {
		t.Errorf("%s: %q, want it to report the one replica behind", userapp.CachesBehindHeader, got)
	}

	deadline := start.Add(userbus.CacheStaleAfter + 2*userbus.CacheHeartbeat)
	for {
		a := send(t, b, http.MethodGet, self, e.tokens["user1"], nil, nil)
		if a.status == http.StatusUnauthorized {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica B still serves the disabled user %s after its listener went silent: %d", time.Since(start).Round(time.Millisecond), a.status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("replica B refused the disabled user %s after its listener went silent", time.Since(start).Round(time.Millisecond))

	// The network heals: the listener starts over and the cache serves.
	proxy.BlackHole(false)
	for deadline := time.Now().Add(userbus.CacheReconnectAfter + 10*time.Second); !cache.Live(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("replica B's user cache did not come back after the network healed")
		}
	}
}

// TestARebindingPageIsRefused: an API that answers localhost (as make run
// sets it) refuses a request for a name a web page pointed at its address,
// with the seeded admin's password and all, and answers localhost and an
// IP address. Answering any name, a page on another site could log in as
// the seeded admin through the visitor's browser.
func TestARebindingPageIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := httptest.NewServer(e.replica(t, func(c *build.Config) { c.Hosts = []string{"localhost"} }))
	t.Cleanup(srv.Close)

	got := map[string]string{}
	for _, host := range []string{"rebind.attacker.example:3000", "localhost:3000", srv.Listener.Addr().String()} {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/users/token", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		req.SetBasicAuth("ada@example.com", passwd)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e errs.Error
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		got[host] = fmt.Sprintf("%d %s", resp.StatusCode, e.Code)
		if resp.StatusCode == http.StatusForbidden && !strings.Contains(e.Message, "SALES_WEB_HOSTS") {
			t.Errorf("a refused host's message %q does not name SALES_WEB_HOSTS", e.Message)
		}
	}
	want := map[string]string{
		"rebind.attacker.example:3000": "403 permission_denied",
		"localhost:3000":               "200 ",
		srv.Listener.Addr().String():   "200 ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses by host (-want +got):\n%s", diff)
	}
}

// TestOneAccountAnAddressInAnyCase: an address is one account in any
// case, a Greek one too: signing it up in capitals makes no second
// account, it logs in and is found in capitals. Told apart by lower(),
// which leaves the final sigma ς as it is while Σ lowers to σ, it made two.
func TestOneAccountAnAddressInAnyCase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	api := e.replica(t, func(c *build.Config) { c.Signup = true })
	signup := func(addr, pass string) {
		t.Helper()
		body := map[string]any{"name": "Sofia", "email": addr, "password": pass, "passwordConfirm": pass}
		if a := send(t, api, http.MethodPost, "/v1/users/signup", "", body, nil); a.status != http.StatusAccepted {
			t.Fatalf("signup %s: %d %s", addr, a.status, a.body)
		}
	}
	signup("σοφίας@example.gr", "secret12")
	signup("ΣΟΦΊΑΣ@example.gr", "another1")

	got := map[string]int{}
	for _, login := range []struct{ addr, pass string }{
		{"σοφίας@example.gr", "secret12"}, {"ΣΟΦΊΑΣ@example.gr", "secret12"}, {"ΣΟΦΊΑΣ@example.gr", "another1"},
	} {
		got[login.addr+" "+login.pass] = send(t, api, http.MethodGet, "/v1/users/token/"+kid, "", nil, basic(login.addr, login.pass)).status
	}
	var found struct{ Total int }
	a := send(t, api, http.MethodGet, "/v1/users?email="+url.QueryEscape("ΣΟΦΊΑΣ@example.gr"), e.tokens["admin"], nil, nil)
	if err := json.Unmarshal([]byte(a.body), &found); err != nil {
		t.Fatal(err)
	}
	got["found in capitals"] = found.Total
	want := map[string]int{"σοφίας@example.gr secret12": 200, "ΣΟΦΊΑΣ@example.gr secret12": 200, "ΣΟΦΊΑΣ@example.gr another1": 401,
		"found in capitals": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
