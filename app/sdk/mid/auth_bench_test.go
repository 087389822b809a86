package mid_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/business/domain"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/domain/userbus/stores/userdb"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/business/types/role"
	"github.com/garagesale/service/foundation/keystore"
	"github.com/garagesale/service/foundation/logger"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/uuid"
)

// BenchmarkAuthMiddleware measures Authenticate and Authorize in front of
// a handler that does nothing, against a real database: as configured in
// production (verified tokens remembered, users cached and kept fresh by
// LISTEN/NOTIFY), and with the user read from Postgres on every request,
// which is what the cache saves.
func BenchmarkAuthMiddleware(b *testing.B) {
	db := dbtest.New(b, b.Name())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	a, kid := newAuth(b)

	newBus := func(cache *userbus.Cache) *userbus.Business {
		return domain.New(domain.Config{DB: db.DB, Log: db.Log, UserCache: cache}).User
	}
	cache := userbus.NewCache(100, db.DB, userdb.Store{})
	go userdb.Listen(ctx, db.Pool.ConnConfig(), cache, logger.Discard().Warn)
	for deadline := time.Now().Add(10 * time.Second); !cache.Live(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("the user cache never went live")
		}
	}

	usr := newUser(b, newBus(nil))
	claims := auth.NewClaims(usr.ID, role.Strings(usr.Roles), time.Now(), time.Hour)
	claims.Version = usr.TokenVersion
	token, err := a.GenerateToken(kid, claims)
	if err != nil {
		b.Fatal(err)
	}

	noop := web.HandlerFunc(func(context.Context, *http.Request) (any, error) { return nil, nil })
	for _, tt := range []struct {
		name  string
		users *userbus.Business
	}{
		{"cached", newBus(cache)},
		{"uncached", newBus(nil)},
	} {
		b.Run(tt.name, func(b *testing.B) {
			h := mid.Authenticate(a, tt.users)(mid.Authorize(a, auth.RuleAny)(noop))
			r := httptest.NewRequest(http.MethodGet, "/v1/users", nil)
			r.Header.Set("Authorization", "Bearer "+token)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h(ctx, r); err != nil {
					b.Fatalf("refused: %v", err)
				}
			}
		})
	}
}

// newAuth returns an Auth over a signing key of its own, and the key's ID.
func newAuth(tb testing.TB) (*auth.Auth, string) {
	tb.Helper()
	dir := tb.TempDir()
	kid, err := keystore.Generate(dir, 0)
	if err != nil {
		tb.Fatal(err)
	}
	ks, err := keystore.LoadFolder(dir)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := auth.New(auth.Config{KeyLookup: ks, Issuer: "test"})
	if err != nil {
		tb.Fatal(err)
	}
	return a, kid
}

// newUser creates a USER through users.
func newUser(tb testing.TB, users *userbus.Business) userbus.User {
	tb.Helper()
	usr, err := users.Create(context.Background(), uuid.Nil, userbus.NewUser{
		Name:     dbtest.Must(name.Parse("Bea")),
		Email:    dbtest.Must(email.Parse("bea@example.com")),
		Roles:    []role.Role{role.User},
		Password: dbtest.Must(password.Parse("gophers-test")),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return usr
}
