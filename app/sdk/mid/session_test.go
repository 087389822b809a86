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
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/types/role"
)

// TestSessionIsTheToken: one token names one session however its header
// is spelt (the scheme's case, spaces), so a thief holding it cannot make
// a fresh count of wrong current passwords by respelling it; a token
// issued later names another.
func TestSessionIsTheToken(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	ctx := context.Background()
	a, kid := newAuth(t)
	users := domain.New(domain.Config{DB: db.DB, Log: db.Log}).User
	usr := newUser(t, users)
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
