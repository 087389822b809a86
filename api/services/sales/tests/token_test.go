package tests

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/app/domain/userapp"
	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

func basic(user, pass string) http.Header {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(user, pass)
	return http.Header{"Authorization": r.Header["Authorization"]}
}

func TestTokenRoute(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	tokenURL := "/v1/users/token/" + kid
	cases := []apitest.Case{
		{Name: "wrong-password", Method: http.MethodGet, URL: tokenURL, Header: basic("bob@example.com", "nope-nope"),
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "unknown-email", Method: http.MethodGet, URL: tokenURL, Header: basic("nobody@example.com", passwd),
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "disabled-user", Method: http.MethodGet, URL: tokenURL, Header: basic("dan@example.com", passwd),
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "no-credentials", Method: http.MethodGet, URL: tokenURL,
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "not-the-active-kid", Method: http.MethodGet, URL: "/v1/users/token/other-kid", Header: basic("bob@example.com", passwd),
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
	}
	apitest.Run(t, e.h, cases)

	t.Run("good-credentials-token-works", func(t *testing.T) {
		resp := apitest.Do(t, e.h, http.MethodGet, tokenURL, "", nil, basic("BOB@example.com", passwd))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status: got %d, want 200", resp.StatusCode)
		}
		var tkn userapp.Token
		if err := json.NewDecoder(resp.Body).Decode(&tkn); err != nil {
			t.Fatalf("decode: %v", err)
		}

		claims, err := e.auth.Authenticate(t.Context(), "Bearer "+tkn.Token)
		if err != nil {
			t.Fatalf("issued token does not verify: %v", err)
		}
		if claims.Subject != e.user1.ID.String() {
			t.Errorf("sub: got %s, want %s", claims.Subject, e.user1.ID)
		}

		apitest.Run(t, e.h, []apitest.Case{
			{Name: "use-it", Method: http.MethodGet, URL: "/v1/users/" + e.user1.ID.String(), Token: tkn.Token,
				StatusCode: http.StatusOK, Got: &userapp.User{}, Exp: ptr(appUser(e.user1))},
		})
	})
}

// TestTokenAttacks sends forged and stale tokens to a protected route; each
// must be a 401 and nothing else.
func TestTokenAttacks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	now := time.Now()
	valid := auth.NewClaims(e.admin.ID, []string{"ADMIN"}, now, time.Hour)
	valid.Issuer = issuer

	sign := func(method jwt.SigningMethod, claims jwt.Claims, keyID string, key any) string {
		tkn := jwt.NewWithClaims(method, claims)
		if keyID != "" {
			tkn.Header["kid"] = keyID
		}
		s, err := tkn.SignedString(key)
		if err != nil {
			t.Fatalf("sign: %v", err)
		}
		return s
	}

	pubDER, err := x509.MarshalPKIXPublicKey(&signingKey().PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	expired := valid
	expired.IssuedAt = jwt.NewNumericDate(now.Add(-2 * time.Hour))
	expired.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Hour))

	wrongIssuer := valid
	wrongIssuer.Issuer = "someone-else"

	good := sign(jwt.SigningMethodRS256, valid, kid, signingKey())
	parts := strings.Split(good, ".")
	forgedClaims := valid
	forgedClaims.Subject = e.user1.ID.String()
	forgedPayload, _ := json.Marshal(forgedClaims)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(forgedPayload) + "." + parts[2]

	tokens := map[string]string{
		"alg-none":              sign(jwt.SigningMethodNone, valid, kid, jwt.UnsafeAllowNoneSignatureType),
		"hs256-with-public-key": sign(jwt.SigningMethodHS256, valid, kid, pubPEM),
		"expired":               sign(jwt.SigningMethodRS256, expired, kid, signingKey()),
		"wrong-issuer":          sign(jwt.SigningMethodRS256, wrongIssuer, kid, signingKey()),
		"unknown-kid":           sign(jwt.SigningMethodRS256, valid, uuid.NewString(), signingKey()),
		"missing-kid":           sign(jwt.SigningMethodRS256, valid, "", signingKey()),
		"signed-by-other-key":   sign(jwt.SigningMethodRS256, valid, kid, otherKey),
		"tampered-payload":      tampered,
		"disabled-user":         e.tokens["disabled"],
		"truncated":             good[:len(good)-10],
	}

	var cases []apitest.Case
	for name, tkn := range tokens {
		cases = append(cases, apitest.Case{
			Name: name, Method: http.MethodGet, URL: "/v1/users", Token: tkn,
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr,
		})
	}
	// The untampered token still works, so the refusals above are about
	// the attacks and not a broken setup.
	cases = append(cases, apitest.Case{Name: "control-valid", Method: http.MethodGet, URL: "/v1/users/" + e.admin.ID.String(), Token: good,
		StatusCode: http.StatusOK, Got: &userapp.User{}, Exp: ptr(appUser(e.admin))})
	apitest.Run(t, e.h, cases)
}

// TestUnauthenticatedChallenges: every 401 says how to authenticate
// (RFC 9110 requires WWW-Authenticate of one): HTTP Basic on the token
// route, a Bearer token elsewhere, with invalid_token when the token sent
// is no good (RFC 6750). An answer that is no 401 says nothing of it.
func TestUnauthenticatedChallenges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const basicChallenge = `Basic realm="sales-api", charset="UTF-8"`
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	tests := []struct {
		name, path string
		header     http.Header
		status     int
		want       string
	}{
		{"token: no credentials", "/v1/users/token", nil, http.StatusUnauthorized, basicChallenge},
		{"token: a wrong password", "/v1/users/token", basic("ada@example.com", "wrong"), http.StatusUnauthorized, basicChallenge},
		{"token: not an address", "/v1/users/token", basic("ada", "wrong"), http.StatusUnauthorized, basicChallenge},
		{"token: issued", "/v1/users/token", basic("ada@example.com", passwd), http.StatusOK, ""},
		{"no token", "/v1/products", nil, http.StatusUnauthorized, "Bearer"},
		{"another scheme", "/v1/products", basic("ada@example.com", passwd), http.StatusUnauthorized, "Bearer"},
		{"a bad token", "/v1/products", bearer("not.a.token"), http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"a disabled user's token", "/v1/products", bearer(e.tokens["disabled"]), http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"a good token", "/v1/products", bearer(e.tokens["user1"]), http.StatusOK, ""},
	}
	for _, tt := range tests {
		resp := apitest.Do(t, e.h, http.MethodGet, tt.path, "", nil, tt.header)
		resp.Body.Close()
		if resp.StatusCode != tt.status || resp.Header.Get("WWW-Authenticate") != tt.want {
			t.Errorf("%s: %d with WWW-Authenticate %q, want %d with %q", tt.name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), tt.status, tt.want)
		}
	}
}
