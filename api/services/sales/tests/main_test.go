// Package tests drives the real sales-api handler over HTTP against a real
// Postgres, with real RS256 tokens.
package tests

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/business/types/role"
	"github.com/garagesale/service/foundation/keystore"
	"github.com/garagesale/service/foundation/logger"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

const (
	issuer   = "garagesale-test"
	kid      = "test-kid"
	passwd   = "gophers!"
	tokenTTL = time.Hour
)

// signingKey is generated once per test binary: RSA key generation is slow
// and every test may share the key.
var signingKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// env is one test's running API with its own database and users.
type env struct {
	h    http.Handler
	db   *dbtest.Database
	auth *auth.Auth
	// bus is the businesses over the test's database, built as the API
	// builds its own, for what a test sets up behind the API's back.
	bus     domain.Set
	userBus *userbus.Business

	admin, user1, user2, disabled userbus.User
	tokens                        map[string]string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db := dbtest.New(t, t.Name())

	ks := keystore.New()
	ks.Add(kid, signingKey())
	ath, err := auth.New(auth.Config{KeyLookup: ks, Issuer: issuer})
	if err != nil {
		t.Fatalf("auth: %v", err)
	}

	log := logger.Discard()
	bs := domain.New(domain.Config{DB: db.DB, Log: log})
	e := &env{
		db:      db,
		auth:    ath,
		bus:     bs,
		userBus: bs.User,
		h: build.WebAPI(build.Config{
			Build:     "test",
			Log:       log,
			DB:        db.DB,
			Auth:      ath,
			ActiveKID: kid,
			TokenTTL:  tokenTTL,
		}),
	}

	e.admin = e.createUser(t, "Ada Admin", "ada@example.com", role.Admin)
	e.user1 = e.createUser(t, "Bob User", "bob@example.com", role.User)
	e.user2 = e.createUser(t, "Cat User", "cat@example.com", role.User)
	e.disabled = e.createUser(t, "Dan Disabled", "dan@example.com", role.User)

	e.tokens = map[string]string{
		"admin":    e.token(t, e.admin),
		"user1":    e.token(t, e.user1),
		"user2":    e.token(t, e.user2),
		"disabled": e.token(t, e.disabled),
	}

	// The user as the update left it: its DateUpdated may be a second
	// past its DateCreated.
	off := false
	disabled, err := e.userBus.Update(context.Background(), uuid.Nil, e.disabled.ID, userbus.UpdateUser{Enabled: &off})
	if err != nil {
		t.Fatalf("disable user: %v", err)
	}
	e.disabled = disabled
	return e
}

func (e *env) createUser(t testing.TB, n, addr string, r role.Role) userbus.User {
	t.Helper()
	usr, err := e.userBus.Create(context.Background(), uuid.Nil, userbus.NewUser{
		Name:     dbtest.Must(name.Parse(n)),
		Email:    dbtest.Must(email.Parse(addr)),
		Roles:    []role.Role{r},
		Password: dbtest.Must(password.Parse(passwd)),
	})
	if err != nil {
		t.Fatalf("create user %s: %v", addr, err)
	}
	return usr
}

func (e *env) token(t testing.TB, usr userbus.User) string {
	t.Helper()
	claims := auth.NewClaims(usr.ID, role.Strings(usr.Roles), time.Now(), tokenTTL)
	claims.Version = usr.TokenVersion
	tkn, err := e.auth.GenerateToken(kid, claims)
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	return tkn
}

// cmpPage compares list pages as a client reads them: the items, the total
// and the paging, and whether a next cursor came (a full page has one,
// unless it is a numbered page that reaches the exact total); the cursor
// itself is opaque.
func cmpPage[T any](got, exp any) string {
	g, e := *got.(*query.Result[T]), *exp.(*query.Result[T])
	full := len(e.Items) > 0 && len(e.Items) == e.RowsPerPage
	last := e.Page > 0 && !e.TotalCapped && (e.Page-1)*e.RowsPerPage+len(e.Items) >= e.Total
	hasNext, wantNext := g.Next != "", full && !last
	g.Next, e.Next = "", ""
	diff := cmp.Diff(e, g)
	if hasNext != wantNext {
		diff += fmt.Sprintf("next cursor: got one %v, want one %v\n", hasNext, wantNext)
	}
	return diff
}
