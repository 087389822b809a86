package mid

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/types/role"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/uuid"
)

// Authenticate verifies the bearer token and that its user still exists and
// is enabled. The user's roles are taken from the database, not the token,
// so a role change or a disabled account takes effect at once.
func Authenticate(a *auth.Auth, users *userbus.Business) web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (any, error) {
			claims, err := a.Authenticate(ctx, r.Header.Get("Authorization"))
			if err != nil {
				return nil, unauthenticated(err)
			}
			userID, err := claims.UserID()
			if err != nil {
				return nil, unauthenticated(fmt.Errorf("%w: %w", auth.ErrInvalidToken, err))
			}
			usr, err := current(ctx, users, userID, claims.Version)
			if err != nil {
				return nil, err
			}
			claims.Roles = role.Strings(usr.Roles)
			// One value for the caller, on every request's path: the
			// users business rides along for Recheck.
			ctx = context.WithValue(ctx, callerKey, &caller{claims: claims, user: usr, users: users, session: session(claims)})
			return next(ctx, r.WithContext(ctx))
		}
	}
}

// current returns the user a token of version names, as they are now: an
// error when they are gone, disabled, or the token was revoked.
func current(ctx context.Context, users *userbus.Business, userID uuid.UUID, version int) (userbus.User, error) {
	usr, err := users.Authenticated(ctx, userID)
	switch {
	case errors.Is(err, userbus.ErrNotFound):
		return userbus.User{}, invalidToken("the token's user no longer exists")
	case err != nil:
		return userbus.User{}, errs.Newf(errs.Internal, "authenticate: %w", err)
	case !usr.Enabled:
		return userbus.User{}, invalidToken("the token's user is disabled")
	case version != usr.TokenVersion:
		// A new password, new roles or disabling since it was issued:
		// every older token is void.
		return userbus.User{}, invalidToken("the token was revoked: get a new one")
	}
	return usr, nil
}

// Recheck checks again that the caller's token still stands (the user
// there, enabled, not revoked), for work that runs on long after
// Authenticate let the request in; nil on an unauthenticated route.
func Recheck(ctx context.Context) error {
	c, ok := ctx.Value(callerKey).(*caller)
	if !ok {
		return nil
	}
	_, err := current(ctx, c.users, c.user.ID, c.claims.Version)
	return err
}

// unauthenticated is the 401 for an Authenticate failure: a message the
// client can act on, the library's detail kept as the cause for the log.
func unauthenticated(err error) error {
	msg := auth.ErrInvalidToken.Error()
	for _, e := range []error{auth.ErrNoToken, auth.ErrWrongScheme, auth.ErrInvalidToken} {
		if errors.Is(err, e) {
			msg = e.Error()
			break
		}
	}
	if errors.Is(err, auth.ErrInvalidToken) {
		e := invalidToken(msg)
		e.Cause = err
		return e
	}
	// A request with no token, or with another scheme, is told the
	// scheme alone.
	return &errs.Error{Code: errs.Unauthenticated, Message: msg, Cause: err}
}

// invalidToken is the 401 for a token sent that is no good: malformed,
// expired, revoked, or its user's no longer (RFC 6750's invalid_token).
func invalidToken(msg string) *errs.Error {
	return &errs.Error{Code: errs.Unauthenticated, Message: msg, Cause: errors.New(msg), Challenge: `Bearer error="invalid_token"`}
}

// Authorize checks rule for the authenticated caller. For rules about a
// subject, the subject is the route's {userID}; a malformed one is a 400.
func Authorize(a *auth.Auth, rule auth.Rule) web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (any, error) {
			claims, ok := GetClaims(ctx)
			if !ok {
				return nil, errs.Newf(errs.Unauthenticated, "authentication required")
			}

			subject := uuid.Nil
			if s := r.PathValue("userID"); s != "" {
				id, err := query.ParseUUID(s)
				if err != nil {
					return nil, errs.NewFields(errs.FieldErrors{"userID": "must be a UUID"})
				}
				subject = id
			}

			if err := a.Authorize(ctx, claims, subject, rule); err != nil {
				return nil, errs.New(errs.PermissionDenied, err)
			}
			return next(ctx, r)
		}
	}
}

// ctxKey keys what Authenticate puts in a request's context.
type ctxKey int

const callerKey ctxKey = 1

// caller is the authenticated caller as Authenticate found them.
type caller struct {
	claims  auth.Claims
	user    userbus.User
	users   *userbus.Business
	session string
}

// session names the token a request carries by what its signature
// covers, never by its text: the scheme's case, spaces and base64's
// slack let one token be sent in many spellings, while its claims are
// one. Tokens the same user was issued in the same second share one.
func session(c auth.Claims) string {
	var iat, exp int64
	if c.IssuedAt != nil {
		iat = c.IssuedAt.Unix()
	}
	if c.ExpiresAt != nil {
		exp = c.ExpiresAt.Unix()
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%d|%d|%d", c.Subject, iat, exp, c.Version))
	return hex.EncodeToString(sum[:16])
}

// Session names the token the caller authenticated with, "" when the
// route is not authenticated: a key for what must be counted per token,
// which a thief holding one cannot multiply, as the owner's next login
// makes another.
func Session(ctx context.Context) string {
	if c, ok := ctx.Value(callerKey).(*caller); ok {
		return c.session
	}
	return ""
}

// GetClaims returns the verified claims of the caller.
func GetClaims(ctx context.Context) (auth.Claims, bool) {
	c, ok := ctx.Value(callerKey).(*caller)
	if !ok {
		return auth.Claims{}, false
	}
	return c.claims, true
}

// ActorID returns the ID of the authenticated caller, for audit records;
// uuid.Nil when the route is not authenticated.
func ActorID(ctx context.Context) uuid.UUID {
	if c, ok := ctx.Value(callerKey).(*caller); ok {
		return c.user.ID
	}
	return uuid.Nil
}
