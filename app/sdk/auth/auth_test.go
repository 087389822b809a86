package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/foundation/keystore"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

const issuer = "garagesale test"

// now is the fixed clock every Auth in these tests reads.
var now = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// fixture is an Auth over a store of two generated keys, as after a rotation.
type fixture struct {
	auth       *auth.Auth
	store      *keystore.KeyStore
	kid1, kid2 string
}

func newFixture(t testing.TB) fixture {
	t.Helper()

	dir := t.TempDir()
	kid1, err := keystore.Generate(dir, 0)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	kid2, err := keystore.Generate(dir, 0)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	ks, err := keystore.LoadFolder(dir)
	if err != nil {
		t.Fatalf("load keys: %v", err)
	}

	a, err := auth.New(auth.Config{KeyLookup: ks, Issuer: issuer, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("new auth: %v", err)
	}
	return fixture{auth: a, store: ks, kid1: kid1, kid2: kid2}
}

// sign signs claims with jwt directly, bypassing GenerateToken's checks, so
// tests can forge what an attacker or a buggy issuer would send. An empty
// kid leaves the header out.
func sign(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.Claims) string {
	t.Helper()
	token := jwt.NewWithClaims(method, claims)
	if kid != "" {
		token.Header["kid"] = kid
	}
	s, err := token.SignedString(key)
	if err != nil {
		t.Fatalf("sign %s token: %v", method.Alg(), err)
	}
	return s
}

func privateKey(t *testing.T, ks *keystore.KeyStore, kid string) *rsa.PrivateKey {
	t.Helper()
	pk, err := ks.PrivateKey(kid)
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

// validClaims returns claims GenerateToken would issue at now.
func validClaims(userID uuid.UUID, roles ...string) auth.Claims {
	c := auth.NewClaims(userID, roles, now, time.Hour)
	c.Issuer = issuer
	return c
}

func TestAuthenticateRoundTrip(t *testing.T) {
	f := newFixture(t)
	userID := uuid.New()

	tests := []struct {
		name   string
		kid    string
		scheme string
		roles  []string
	}{
		{name: "user with the first key", kid: f.kid1, scheme: "Bearer", roles: []string{auth.RoleUser}},
		{name: "admin with the second key", kid: f.kid2, scheme: "Bearer", roles: []string{auth.RoleAdmin, auth.RoleUser}},
		{name: "scheme is case-insensitive", kid: f.kid1, scheme: "bearer", roles: []string{auth.RoleAdmin}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := auth.NewClaims(userID, tt.roles, now, time.Hour)
			token, err := f.auth.GenerateToken(tt.kid, in)
			if err != nil {
				t.Fatalf("generate token: %v", err)
			}

			got, err := f.auth.Authenticate(context.Background(), tt.scheme+" "+token)
			if err != nil {
				t.Fatalf("authenticate: %v", err)
			}

			if diff := cmp.Diff(validClaims(userID, tt.roles...), got); diff != "" {
				t.Errorf("claims mismatch (-want +got):\n%s", diff)
			}
			gotID, err := got.UserID()
			if err != nil || gotID != userID {
				t.Errorf("UserID: got %v, %v; want %v", gotID, err, userID)
			}
		})
	}
}

func TestGenerateTokenSetsIssuedAt(t *testing.T) {
	f := newFixture(t)

	claims := auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   uuid.NewString(),
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)),
		},
		Roles: []string{auth.RoleUser},
	}
	token, err := f.auth.GenerateToken(f.kid1, claims)
	if err != nil {
		t.Fatalf("generate token: %v", err)
	}
	got, err := f.auth.Authenticate(context.Background(), "Bearer "+token)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}

	want := claims
	want.Issuer = issuer
	want.IssuedAt = jwt.NewNumericDate(now)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims mismatch (-want +got):\n%s", diff)
	}
}

func TestAuthenticateRefuses(t *testing.T) {
	f := newFixture(t)
	userID := uuid.New()
	key1 := privateKey(t, f.store, f.kid1)
	valid := validClaims(userID, auth.RoleUser)

	validToken, err := f.auth.GenerateToken(f.kid1, valid)
	if err != nil {
		t.Fatal(err)
	}

	// HS256 with the public key's PEM as the HMAC secret: a verifier that
	// lets the token pick the algorithm would check it with the public key.
	pubDER, err := x509.MarshalPKIXPublicKey(&key1.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	// Same header and signature, payload swapped for an admin's.
	tampered := func() string {
		forged := validClaims(uuid.New(), auth.RoleAdmin)
		payload, err := json.Marshal(forged)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(validToken, ".")
		parts[1] = base64.RawURLEncoding.EncodeToString(payload)
		return strings.Join(parts, ".")
	}()

	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	otherIssuer, err := auth.New(auth.Config{KeyLookup: f.store, Issuer: "someone else", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	wrongIssuerToken, err := otherIssuer.GenerateToken(f.kid1, auth.NewClaims(userID, []string{auth.RoleUser}, now, time.Hour))
	if err != nil {
		t.Fatal(err)
	}

	expired := validClaims(userID, auth.RoleUser)
	expired.IssuedAt = jwt.NewNumericDate(now.Add(-2 * time.Hour))
	expired.ExpiresAt = jwt.NewNumericDate(now.Add(-auth.Leeway - time.Second))

	future := validClaims(userID, auth.RoleUser)
	future.IssuedAt = jwt.NewNumericDate(now.Add(auth.Leeway + time.Minute))

	noExp := validClaims(userID, auth.RoleUser)
	noExp.ExpiresAt = nil

	withCrit := func() string {
		token := jwt.NewWithClaims(jwt.SigningMethodRS256, valid)
		token.Header["kid"] = f.kid1
		token.Header["crit"] = []string{"exp-ext"}
		token.Header["exp-ext"] = true
		s, err := token.SignedString(key1)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}()

	badSub := validClaims(userID, auth.RoleUser)
	badSub.Subject = "admin@example.com"

	tests := []struct {
		name   string
		header string
		reason string // what the error must say, so a case cannot pass for the wrong reason
	}{
		{name: "alg none", header: "Bearer " + sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, f.kid1, valid), reason: "signing method none is invalid"},
		{name: "HS256 with public key as secret", header: "Bearer " + sign(t, jwt.SigningMethodHS256, pubPEM, f.kid1, valid), reason: "signing method HS256 is invalid"},
		{name: "expired beyond leeway", header: "Bearer " + sign(t, jwt.SigningMethodRS256, key1, f.kid1, expired), reason: "token is expired"},
		{name: "issued in the future", header: "Bearer " + sign(t, jwt.SigningMethodRS256, key1, f.kid1, future), reason: "token used before issued"},
		{name: "no expiry", header: "Bearer " + sign(t, jwt.SigningMethodRS256, key1, f.kid1, noExp), reason: "exp claim is required"},
		{name: "wrong issuer", header: "Bearer " + wrongIssuerToken, reason: "invalid issuer"},
		{name: "unknown kid", header: "Bearer " + sign(t, jwt.SigningMethodRS256, key1, "no-such-kid", valid), reason: "key not found"},
		{name: "an extension it must understand", header: "Bearer " + withCrit, reason: "crit header"},
		{name: "missing kid", header: "Bearer " + sign(t, jwt.SigningMethodRS256, key1, "", valid), reason: "missing kid header"},
		{name: "tampered payload", header: "Bearer " + tampered, reason: "verification error"},
		{name: "other key under a known kid", header: "Bearer " + sign(t, jwt.SigningMethodRS256, otherKey, f.kid1, valid), reason: "verification error"},
		{name: "signed by the other store key than its kid", header: "Bearer " + sign(t, jwt.SigningMethodRS256, key1, f.kid2, valid), reason: "verification error"},
		{name: "non-UUID subject", header: "Bearer " + sign(t, jwt.SigningMethodRS256, key1, f.kid1, badSub), reason: "subject is not a user ID"},
		{name: "unknown role", header: "Bearer " + sign(t, jwt.SigningMethodRS256, key1, f.kid1, validClaims(userID, "ROOT")), reason: "unknown role"},
		{name: "no roles", header: "Bearer " + sign(t, jwt.SigningMethodRS256, key1, f.kid1, validClaims(userID)), reason: "no roles"},
		{name: "missing Bearer prefix", header: validToken, reason: "Bearer <token>"},
		{name: "other scheme", header: "Basic " + validToken, reason: "Bearer <token>"},
		{name: "empty header", header: "", reason: "Bearer <token>"},
		{name: "scheme without token", header: "Bearer ", reason: "empty bearer token"},
		{name: "garbage", header: "Bearer not.a.token", reason: "malformed"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.auth.Authenticate(context.Background(), tt.header)
			if !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("got error %v, want ErrUnauthenticated", err)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not give the reason %q", err, tt.reason)
			}
			if diff := cmp.Diff(auth.Claims{}, got); diff != "" {
				t.Errorf("claims returned with the error (-want +got):\n%s", diff)
			}

			token := strings.TrimSpace(strings.TrimPrefix(tt.header, "Bearer "))
			if token != "" && strings.Contains(err.Error(), token) {
				t.Errorf("error message contains the token: %v", err)
			}
		})
	}
}

func TestGenerateTokenRefuses(t *testing.T) {
	f := newFixture(t)

	noExp := auth.NewClaims(uuid.New(), []string{auth.RoleUser}, now, time.Hour)
	noExp.ExpiresAt = nil

	badSub := auth.NewClaims(uuid.New(), []string{auth.RoleUser}, now, time.Hour)
	badSub.Subject = "nobody"

	tests := []struct {
		name   string
		kid    string
		claims auth.Claims
		reason string
	}{
		{name: "no expiry", kid: f.kid1, claims: noExp, reason: "no expiry"},
		{name: "non-UUID subject", kid: f.kid1, claims: badSub, reason: "subject is not a user ID"},
		{name: "unknown role", kid: f.kid1, claims: auth.NewClaims(uuid.New(), []string{"ROOT"}, now, time.Hour), reason: "unknown role"},
		{name: "no roles", kid: f.kid1, claims: auth.NewClaims(uuid.New(), nil, now, time.Hour), reason: "no roles"},
		{name: "unknown kid", kid: "no-such-kid", claims: auth.NewClaims(uuid.New(), []string{auth.RoleUser}, now, time.Hour), reason: "key not found"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := f.auth.GenerateToken(tt.kid, tt.claims)
			if err == nil {
				t.Fatalf("got token %q, want error", token)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not give the reason %q", err, tt.reason)
			}
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  auth.Config
	}{
		{name: "no key lookup", cfg: auth.Config{Issuer: issuer}},
		{name: "no issuer", cfg: auth.Config{KeyLookup: keystore.New()}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a, err := auth.New(tt.cfg); err == nil {
				t.Fatalf("got %v, want error", a)
			}
		})
	}
}

func TestAuthorize(t *testing.T) {
	a, err := auth.New(auth.Config{KeyLookup: keystore.New(), Issuer: issuer})
	if err != nil {
		t.Fatal(err)
	}

	admin := validClaims(uuid.New(), auth.RoleAdmin)
	user := validClaims(uuid.New(), auth.RoleUser)
	subjectID := uuid.MustParse(user.Subject)
	otherID := uuid.New()

	// allow lists who passes each rule; everyone else must get ErrForbidden.
	type caller struct {
		name   string
		claims auth.Claims
		userID uuid.UUID
	}
	callers := []caller{
		{name: "admin", claims: admin, userID: otherID},
		{name: "user who is the subject", claims: user, userID: subjectID},
		{name: "user who is not the subject", claims: user, userID: otherID},
		{name: "user on a route naming no user", claims: user, userID: uuid.Nil},
	}

	tests := []struct {
		rule  auth.Rule
		allow map[string]bool
	}{
		{rule: auth.RuleAny, allow: map[string]bool{"admin": true, "user who is the subject": true, "user who is not the subject": true, "user on a route naming no user": true}},
		{rule: auth.RuleUserOnly, allow: map[string]bool{"user who is the subject": true, "user who is not the subject": true, "user on a route naming no user": true}},
		{rule: auth.RuleAdminOnly, allow: map[string]bool{"admin": true}},
		{rule: auth.RuleAdminOrSubject, allow: map[string]bool{"admin": true, "user who is the subject": true}},
		{rule: auth.Rule(0), allow: map[string]bool{}},
	}

	for _, tt := range tests {
		for _, c := range callers {
			t.Run(tt.rule.String()+"/"+c.name, func(t *testing.T) {
				err := a.Authorize(context.Background(), c.claims, c.userID, tt.rule)
				switch {
				case tt.allow[c.name] && err != nil:
					t.Errorf("got %v, want allowed", err)
				case !tt.allow[c.name] && !errors.Is(err, auth.ErrForbidden):
					t.Errorf("got %v, want ErrForbidden", err)
				}
			})
		}
	}
}

func TestClaimsHasRole(t *testing.T) {
	c := validClaims(uuid.New(), auth.RoleUser)

	got := map[string]bool{
		auth.RoleUser:  c.HasRole(auth.RoleUser),
		auth.RoleAdmin: c.HasRole(auth.RoleAdmin),
	}
	want := map[string]bool{auth.RoleUser: true, auth.RoleAdmin: false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("HasRole (-want +got):\n%s", diff)
	}
}

func BenchmarkAuthenticate(b *testing.B) {
	f := newFixture(b)
	token, err := f.auth.GenerateToken(f.kid1, auth.NewClaims(uuid.New(), []string{auth.RoleUser}, now, time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	header := "Bearer " + token
	ctx := context.Background()

	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.auth.Authenticate(ctx, header); err != nil {
			b.Fatal(err)
		}
	}
}

// TestVerifiedTokensStillExpire: a token verified once is not RSA-checked
// again, but it is refused once it has expired, and a token altered by a
// byte is checked afresh (and refused).
func TestVerifiedTokensStillExpire(t *testing.T) {
	f := newFixture(t)
	clock := now
	a, err := auth.New(auth.Config{KeyLookup: f.store, Issuer: issuer, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	tkn, err := a.GenerateToken(f.kid1, auth.NewClaims(uuid.New(), []string{auth.RoleUser}, now, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := a.Authenticate(t.Context(), "Bearer "+tkn); err != nil {
			t.Fatalf("a fresh token: %v", err)
		}
	}
	tampered := tkn[:len(tkn)-2] + "AA"
	if tampered == tkn {
		tampered = tkn[:len(tkn)-2] + "BB"
	}
	if _, err := a.Authenticate(t.Context(), "Bearer "+tampered); err == nil {
		t.Error("a token altered after a good one was verified was accepted")
	}
	clock = now.Add(time.Minute + auth.Leeway)
	if _, err := a.Authenticate(t.Context(), "Bearer "+tkn); err == nil {
		t.Error("a verified token was accepted after it expired")
	}
}
