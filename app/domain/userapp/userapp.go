// Package userapp is the HTTP layer of users: the users routes and the
// token route of DESIGN.md §4.
package userapp

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/foundation/web"
)

type handlers struct {
	userBus   *userbus.Business
	auth      *auth.Auth
	activeKID string
	tokenTTL  time.Duration
	now       func() time.Time
}

func (a *handlers) create(ctx context.Context, r *http.Request) web.Encoder {
	var req NewUser
	if err := query.Body(r, &req); err != nil {
		return errs.Of(err)
	}
	nu, err := toBusNewUser(req)
	if err != nil {
		return errs.Of(err)
	}

	usr, err := a.userBus.Create(ctx, mid.ActorID(ctx), nu)
	if err != nil {
		return busError(err)
	}
	return web.Created(toAppUser(usr))
}

func (a *handlers) update(ctx context.Context, r *http.Request) web.Encoder {
	id, err := query.PathID(r, "user_id")
	if err != nil {
		return errs.Of(err)
	}
	var req UpdateUser
	if err := query.Body(r, &req); err != nil {
		return errs.Of(err)
	}
	uu, err := toBusUpdateUser(req)
	if err != nil {
		return errs.Of(err)
	}

	usr, err := a.userBus.Update(ctx, mid.ActorID(ctx), id, uu)
	if err != nil {
		return busError(err)
	}
	return toAppUser(usr)
}

func (a *handlers) updateRole(ctx context.Context, r *http.Request) web.Encoder {
	id, err := query.PathID(r, "user_id")
	if err != nil {
		return errs.Of(err)
	}
	var req UpdateUserRole
	if err := query.Body(r, &req); err != nil {
		return errs.Of(err)
	}
	uu, err := toBusUpdateUserRole(req)
	if err != nil {
		return errs.Of(err)
	}

	usr, err := a.userBus.Update(ctx, mid.ActorID(ctx), id, uu)
	if err != nil {
		return busError(err)
	}
	return toAppUser(usr)
}

func (a *handlers) delete(ctx context.Context, r *http.Request) web.Encoder {
	id, err := query.PathID(r, "user_id")
	if err != nil {
		return errs.Of(err)
	}
	if err := a.userBus.Delete(ctx, mid.ActorID(ctx), id); err != nil {
		return busError(err)
	}
	return web.NoContent
}

func (a *handlers) query(ctx context.Context, r *http.Request) web.Encoder {
	res, err := query.List(ctx, r, a.userBus, query.ListSpec[userbus.QueryFilter, userbus.User, User]{
		Filter:       parseFilter,
		Order:        orderByFields,
		DefaultOrder: userbus.DefaultOrderBy,
		ToApp:        toAppUsers,
	})
	if err != nil {
		return errs.Of(err)
	}
	return res
}

func (a *handlers) queryByID(ctx context.Context, r *http.Request) web.Encoder {
	id, err := query.PathID(r, "user_id")
	if err != nil {
		return errs.Of(err)
	}
	usr, err := a.userBus.QueryByID(ctx, id)
	if err != nil {
		return busError(err)
	}
	return toAppUser(usr)
}

// token exchanges HTTP Basic credentials for a JWT signed with the key
// named in the path.
func (a *handlers) token(ctx context.Context, r *http.Request) web.Encoder {
	kid := web.Param(r, "kid")
	if kid != a.activeKID {
		// Only the active key signs, so that retiring a key stops new tokens
		// under it while its old tokens still verify.
		return errs.Newf(errs.NotFound, "key %q is not the active signing key", kid)
	}

	user, pass, ok := r.BasicAuth()
	if !ok {
		return errs.Newf(errs.Unauthenticated, "must provide email and password in Basic auth")
	}
	addr, err := email.Parse(user)
	if err != nil {
		return errs.Newf(errs.Unauthenticated, "authentication failed")
	}

	usr, err := a.userBus.Authenticate(ctx, addr, pass)
	if err != nil {
		return busError(err)
	}

	claims := auth.NewClaims(usr.ID, roleStrings(usr), a.now(), a.tokenTTL)
	tkn, err := a.auth.GenerateToken(kid, claims)
	if err != nil {
		return errs.Newf(errs.Internal, "generate token: %w", err)
	}
	return Token{Token: tkn}
}

// busError maps the user domain's errors to API errors.
func busError(err error) *errs.Error {
	switch {
	case errors.Is(err, userbus.ErrNotFound):
		return errs.New(errs.NotFound, userbus.ErrNotFound)
	case errors.Is(err, userbus.ErrUniqueEmail):
		e := errs.New(errs.AlreadyExists, userbus.ErrUniqueEmail)
		e.Fields = map[string]string{"email": userbus.ErrUniqueEmail.Error()}
		return e
	case errors.Is(err, userbus.ErrAuthenticationFailure):
		return errs.New(errs.Unauthenticated, userbus.ErrAuthenticationFailure)
	case errors.Is(err, userbus.ErrDisabled):
		return errs.New(errs.Unauthenticated, userbus.ErrDisabled)
	case errors.Is(err, userbus.ErrHasDependents):
		return errs.New(errs.Aborted, userbus.ErrHasDependents)
	}
	return errs.New(errs.Internal, err)
}
