package mid

import (
	"context"
	"errors"
	"net/http"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/errs"
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
		return func(ctx context.Context, r *http.Request) web.Encoder {
			claims, err := a.Authenticate(ctx, r.Header.Get("Authorization"))
			if err != nil {
				return errs.New(errs.Unauthenticated, err)
			}

			userID, err := claims.UserID()
			if err != nil {
				return errs.New(errs.Unauthenticated, err)
			}

			usr, err := users.QueryByID(ctx, userID)
			switch {
			case errors.Is(err, userbus.ErrNotFound):
				return errs.Newf(errs.Unauthenticated, "user no longer exists")
			case err != nil:
				return errs.Newf(errs.Internal, "authenticate: %w", err)
			case !usr.Enabled:
				return errs.Newf(errs.Unauthenticated, "user is disabled")
			}

			claims.Roles = role.Strings(usr.Roles)
			ctx = setClaims(ctx, claims)
			ctx = setUser(ctx, usr)

			return next(ctx, r.WithContext(ctx))
		}
	}
}

// Authorize checks rule for the authenticated caller. For rules about a
// subject, the subject is the route's {user_id}; a malformed one is a 400.
func Authorize(a *auth.Auth, rule auth.Rule) web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) web.Encoder {
			claims, ok := GetClaims(ctx)
			if !ok {
				return errs.Newf(errs.Unauthenticated, "authentication required")
			}

			subject := uuid.Nil
			if s := web.Param(r, "user_id"); s != "" {
				id, err := uuid.Parse(s)
				if err != nil {
					return errs.NewFields(errs.FieldErrors{"user_id": "must be a UUID"})
				}
				subject = id
			}

			if err := a.Authorize(ctx, claims, subject, rule); err != nil {
				return errs.New(errs.PermissionDenied, err)
			}
			return next(ctx, r)
		}
	}
}
