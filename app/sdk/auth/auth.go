// Package auth issues and verifies the API's RS256 JSON Web Tokens and
// decides whether the claims of a token satisfy an access rule.
package auth

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrUnauthenticated is wrapped by every error of Authenticate (HTTP 401).
var ErrUnauthenticated = errors.New("unauthenticated")

// The ways Authenticate fails, in texts fit to show a client: they quote
// nothing the client sent.
var (
	ErrNoToken      = errors.New("this route needs a token: send Authorization: Bearer <token>; GET /v1/users/token with your email and password as HTTP Basic auth gives one")
	ErrWrongScheme  = errors.New("this route takes a bearer token, not that Authorization scheme: send Authorization: Bearer <token>; GET /v1/users/token with your email and password as HTTP Basic auth gives one")
	ErrInvalidToken = errors.New("the token is invalid or expired: get a new one")
)

// ErrForbidden is wrapped by every error of Authorize (HTTP 403).
var ErrForbidden = errors.New("forbidden")

// Leeway is how far the clocks of the issuer and a verifier may disagree
// before exp and iat checks fail.
const Leeway = 30 * time.Second

// signingMethod is the only algorithm issued or accepted; pinning it is what
// stops "alg: none" and HMAC key-confusion tokens.
var signingMethod = jwt.SigningMethodRS256

// KeyLookup is what Auth needs of a key store; *keystore.KeyStore satisfies it.
type KeyLookup interface {
	PrivateKey(kid string) (*rsa.PrivateKey, error)
	PublicKey(kid string) (*rsa.PublicKey, error)
}

// Config holds what New needs.
type Config struct {
	KeyLookup KeyLookup
	Issuer    string
	Now       func() time.Time // nil means time.Now
}

// Auth signs and verifies tokens. It is safe for concurrent use.
type Auth struct {
	keys   KeyLookup
	issuer string
	now    func() time.Time
	parser *jwt.Parser
	keyFn  jwt.Keyfunc
	seen   verified
}

// New returns an Auth that signs with and verifies against cfg.KeyLookup and
// accepts only tokens issued by cfg.Issuer.
func New(cfg Config) (*Auth, error) {
	if cfg.KeyLookup == nil {
		return nil, errors.New("new auth: no key lookup")
	}
	if cfg.Issuer == "" {
		return nil, errors.New("new auth: no issuer")
	}

	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	a := &Auth{
		keys:   cfg.KeyLookup,
		issuer: cfg.Issuer,
		now:    now,
		// Built once here: Authenticate is on every request's path.
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{signingMethod.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithLeeway(Leeway),
			jwt.WithTimeFunc(now),
		),
		seen: verified{tokens: make(map[[sha256.Size]byte]Claims)},
	}
	// Bound once so Authenticate does not build a method value per call.
	a.keyFn = a.publicKey
	return a, nil
}

// GenerateToken signs claims with the private key kid (RS256, header "kid"),
// setting the issuer and, when unset, the issued-at time. claims must carry
// a user ID subject, known roles and an expiry: no token is issued that
// Authenticate would refuse.
func (a *Auth) GenerateToken(kid string, claims Claims) (string, error) {
	claims.Issuer = a.issuer
	if claims.IssuedAt == nil {
		claims.IssuedAt = jwt.NewNumericDate(a.now())
	}
	if claims.ExpiresAt == nil {
		return "", errors.New("generate token: no expiry")
	}
	if err := claims.validate(); err != nil {
		return "", fmt.Errorf("generate token: %w", err)
	}

	pk, err := a.keys.PrivateKey(kid)
	if err != nil {
		return "", fmt.Errorf("generate token: %w", err)
	}

	token := jwt.NewWithClaims(signingMethod, claims)
	token.Header["kid"] = kid

	signed, err := token.SignedString(pk)
	if err != nil {
		return "", fmt.Errorf("generate token: sign with kid %q: %w", kid, err)
	}
	return signed, nil
}

// Authenticate verifies bearerToken, the whole Authorization header value
// ("Bearer <token>"), and returns the token's claims. The token must be
// RS256 signed by the key its "kid" header names (any key of the store, so
// keys can rotate), by this issuer, unexpired, for a user ID subject with
// known roles. No error contains the token.
func (a *Auth) Authenticate(ctx context.Context, bearerToken string) (Claims, error) {
	if strings.TrimSpace(bearerToken) == "" {
		return Claims{}, fmt.Errorf("%w: %w", ErrUnauthenticated, ErrNoToken)
	}
	scheme, tokenStr, _ := strings.Cut(bearerToken, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return Claims{}, fmt.Errorf("%w: %w", ErrUnauthenticated, ErrWrongScheme)
	}
	tokenStr = strings.TrimSpace(tokenStr)
	if tokenStr == "" {
		return Claims{}, fmt.Errorf("%w: %w: empty bearer token", ErrUnauthenticated, ErrInvalidToken)
	}

	// A token already verified needs no second RSA check, only its
	// expiry again: a client sends the same token for an hour.
	if claims, ok := a.seen.get(tokenStr, a.now()); ok {
		return claims, nil
	}

	var claims Claims
	if _, err := a.parser.ParseWithClaims(tokenStr, &claims, a.keyFn); err != nil {
		// The library's text (kept in the chain for the log) may quote the
		// token's kid; ErrInvalidToken is what a client is shown.
		return Claims{}, fmt.Errorf("%w: %w: %w", ErrUnauthenticated, ErrInvalidToken, err)
	}
	if err := claims.validate(); err != nil {
		return Claims{}, fmt.Errorf("%w: %w: %w", ErrUnauthenticated, ErrInvalidToken, err)
	}

	a.seen.put(tokenStr, claims)
	return claims, nil
}

// publicKey is the jwt.Keyfunc: the verifying key named by the token's kid
// header (the parser has refused every algorithm but RS256 already).
func (a *Auth) publicKey(token *jwt.Token) (any, error) {
	// RFC 7515: a token whose "crit" names extensions the verifier does
	// not understand is invalid, and this one understands none.
	if _, ok := token.Header["crit"]; ok {
		return nil, errors.New("crit header: no extension is understood")
	}
	kid, ok := token.Header["kid"].(string)
	if !ok || kid == "" {
		return nil, errors.New("missing kid header")
	}
	return a.keys.PublicKey(kid)
}
