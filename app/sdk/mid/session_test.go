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
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/business/types/role"
	"github.com/garagesale/service/foundation/keystore"
	"github.com/google/uuid"
)

// TestSessionIsTheToken: one token names one session however its header
// is spelt (the scheme's case, spaces), so a thief holding it cannot make
// a fresh count of wrong current passwords by respelling it; a token
// issued later names another.
func TestSessionIsTheToken(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	ctx := context.Background()
	dir := t.TempDir()
	kid, err := keystore.Generate(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := keystore.LoadFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(auth.Config{KeyLookup: ks, Issuer: "test"})
	if err != nil {
		t.Fatal(err)
	}
	users := domain.New(domain.Config{DB: db.DB, Log: db.Log}).User
	usr, err := users.Create(ctx, uuid.Nil, userbus.NewUser{
		Name:     dbtest.Must(name.Parse("Bea")),
		Email:    dbtest.Must(email.Parse("bea@example.com")),
		Roles:    []role.Role{role.User},
		Password: dbtest.Must(password.Parse("gophers-test")),
	})
	if err != nil {
		t.Fatal(err)
	}
	token := func(at time.Time) string {
		t.Helper()
		tok, err := a.GenerateToken(kid, auth.NewClaims(usr.ID, role.Strings(usr.Roles), at, time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	var got string
	h := mid.Authenticate(a, users)(func(ctx context.Context, r *http.Request) (any, error) {
		got = mid.Session(ctx)
		return nil, nil
	})
	sessionOf := func(header string) string {
		t.Helper()
		got = ""
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", header)
		if _, err := h(ctx, r); err != nil {
			t.Fatalf("%.20q: %v", header, err)
		}
		return got
	}

	now := time.Now()
	first, later := token(now), token(now.Add(-time.Minute))
	want := sessionOf("Bearer " + first)
	for _, header := range []string{"bearer " + first, "BEARER   " + first + "  "} {
		if s := sessionOf(header); s != want {
			t.Errorf("%.12q...: session %s, want %s: one token, one session", header, s, want)
		}
	}
	if s := sessionOf("Bearer " + later); s == want {
		t.Errorf("another token of the same user has the same session %s", s)
	}
}
