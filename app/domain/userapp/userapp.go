// Package userapp is the HTTP layer of users: the /v1/users routes, the
// token route and signup.
package userapp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/garagesale/service/app/sdk/clientaddr"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/role"
	"github.com/garagesale/service/foundation/web"
)

type handlers struct {
	userBus    *userbus.Business
	auth       *auth.Auth
	activeKID  string
	tokenTTL   time.Duration
	now        func() time.Time
	clients    *clientaddr.Resolver
	signupOpen bool
}

func (a *handlers) create(ctx context.Context, r *http.Request) (any, error) {
	var req NewUser
	if err := web.Decode(r, &req); err != nil {
		return nil, err
	}
	nu, err := toBusNewUser(req)
	if err != nil {
		return nil, err
	}

	usr, err := a.userBus.Create(ctx, mid.ActorID(ctx), nu)
	if err != nil {
		return nil, busError(err)
	}
	return web.Created(toAppUser(usr)), nil
}

// update changes the user at the path. A change of one's own email is
// answered 202 whether it took or the address has another account, and
// no user is shown: either would tell whether the address has one.
func (a *handlers) update(ctx context.Context, r *http.Request) (any, error) {
	return updateWith(ctx, r, a, toBusUpdateUser)
}

func (a *handlers) updateRole(ctx context.Context, r *http.Request) (any, error) {
	return updateWith(ctx, r, a, toBusUpdateUserRole)
}

// updateWith changes the user at the path as the body, a Req, says: the
// two PUT routes differ only in their body and its conversion.
func updateWith[Req any](ctx context.Context, r *http.Request, a *handlers, toBus func(Req) (userbus.UpdateUser, error)) (any, error) {
	id, err := query.PathID(r, "userID")
	if err != nil {
		return nil, err
	}
	var req Req
	if err := web.Decode(r, &req); err != nil {
		return nil, err
	}
	uu, err := toBus(req)
	if err != nil {
		return nil, err
	}
	uu.Session = mid.Session(ctx)

	usr, err := a.userBus.Update(ctx, mid.ActorID(ctx), id, uu)
	header, err := notAcknowledged(err)
	if err != nil {
		return nil, busError(err)
	}
	if userbus.ChangesOwnEmail(mid.ActorID(ctx), id, uu) {
		return web.WithHeader(web.Accepted(emailChangeAccepted), header), nil
	}
	return web.WithHeader(toAppUser(usr), header), nil
}

// emailChangeAccepted is the one answer to a change of one's own email.
var emailChangeAccepted = Accepted{
	Status:  "accepted",
	Message: "unless the email already has another account, it is yours now; the other changes are made",
}

func (a *handlers) delete(ctx context.Context, r *http.Request) (any, error) {
	id, err := query.PathID(r, "userID")
	if err != nil {
		return nil, err
	}
	header, err := notAcknowledged(a.userBus.Delete(ctx, mid.ActorID(ctx), id))
	if err != nil {
		return nil, busError(err)
	}
	return web.WithHeader(web.NoContent, header), nil
}

func (a *handlers) query(ctx context.Context, r *http.Request) (any, error) {
	return query.List(ctx, r, a.userBus, listSpec)
}

func (a *handlers) queryByID(ctx context.Context, r *http.Request) (any, error) {
	id, err := query.PathID(r, "userID")
	if err != nil {
		return nil, err
	}
	usr, err := a.userBus.QueryByID(ctx, id)
	if err != nil {
		return nil, busError(err)
	}
	return toAppUser(usr), nil
}

// signup creates a USER for whoever asks, when the server allows it. The
// answer is the same 202 whether the email was free or taken, after the
// same work: only logging in with the password just chosen tells the two
// apart, and logins are throttled. Signups are limited per client address.
func (a *handlers) signup(ctx context.Context, r *http.Request) (any, error) {
	if !a.signupOpen {
		return nil, errs.Newf(errs.PermissionDenied, "signup is turned off on this server: ask an admin for an account")
	}
	var req Signup
	if err := web.Decode(r, &req); err != nil {
		return nil, err
	}
	nu, err := toBusSignup(req)
	if err != nil {
		return nil, err
	}
	if _, err := a.userBus.Signup(ctx, nu, a.clients.Key(r)); err != nil && !errors.Is(err, userbus.ErrUniqueEmail) {
		return nil, busError(err)
	}
	return web.Accepted(Accepted{
		Status:  "accepted",
		Message: "unless the email already has an account, it has one now: get a token with the email and password",
	}), nil
}

// token exchanges HTTP Basic credentials for a JWT signed with the active
// key, which the path may name.
func (a *handlers) token(ctx context.Context, r *http.Request) (any, error) {
	if kid := web.Param(r, "kid"); kid != "" && kid != a.activeKID {
		// Only the active key signs, so that retiring a key stops new tokens
		// under it while its old tokens still verify.
		return nil, errs.Newf(errs.NotFound, "that key is not the active signing key: ask GET /v1/users/token/%s", a.activeKID)
	}

	user, pass, ok := r.BasicAuth()
	if !ok {
		return nil, basic(errs.Newf(errs.Unauthenticated, "send the email and password with HTTP Basic auth: curl --user EMAIL:PASSWORD"))
	}
	addr, err := email.Parse(user)
	if err != nil {
		return nil, basic(errs.New(errs.Unauthenticated, userbus.ErrAuthenticationFailure))
	}

	usr, err := a.userBus.Authenticate(ctx, addr, pass, a.clients.Key(r))
	if err != nil {
		return nil, basic(busError(err))
	}

	claims := auth.NewClaims(usr.ID, role.Strings(usr.Roles), a.now(), a.tokenTTL)
	claims.Version = usr.TokenVersion
	tkn, err := a.auth.GenerateToken(a.activeKID, claims)
	if err != nil {
		return nil, errs.Newf(errs.Internal, "generate token: %w", err)
	}
	return Token{Token: tkn}, nil
}

// basic gives a 401 of the token route the challenge of its scheme,
// HTTP Basic (RFC 7617), where the API's other routes ask for a Bearer
// token.
func basic(err error) error {
	var e *errs.Error
	if errors.As(err, &e) && e.Code == errs.Unauthenticated {
		e.Challenge = `Basic realm="sales-api", charset="UTF-8"`
	}
	return err
}

// CachesBehindHeader reports a change made that some replicas did not
// acknowledge in time: how many, and how soon they stop serving the user
// as they were. A change that revokes access is then not yet everywhere.
const CachesBehindHeader = "Sales-Caches-Behind"

// notAcknowledged turns a change made but not acknowledged by every
// replica into the header that reports it, and nil; any other error is
// returned as it is.
func notAcknowledged(err error) (http.Header, error) {
	var na *userbus.NotAcknowledgedError
	if !errors.As(err, &na) {
		return http.Header{}, err
	}
	return http.Header{CachesBehindHeader: {fmt.Sprintf("%d; they stop serving cached users within %s", na.Behind, userbus.CacheStaleAfter)}}, nil
}

// busError maps the user domain's errors to API errors.
func busError(err error) error {
	var throttled *userbus.ThrottledError
	switch {
	case errors.As(err, &throttled):
		return &errs.Error{Code: errs.TooManyRequests, Message: "too many attempts: wait before trying again", Cause: err, RetryAfter: throttled.RetryAfter}
	case errors.Is(err, userbus.ErrNotFound):
		return errs.New(errs.NotFound, userbus.ErrNotFound)
	case errors.Is(err, userbus.ErrUniqueEmail):
		return &errs.Error{Code: errs.AlreadyExists, Message: userbus.ErrUniqueEmail.Error(), Cause: userbus.ErrUniqueEmail,
			Fields: map[string]string{"email": userbus.ErrUniqueEmail.Error()}}
	case errors.Is(err, userbus.ErrAuthenticationFailure):
		return errs.New(errs.Unauthenticated, userbus.ErrAuthenticationFailure)
	case errors.Is(err, userbus.ErrCurrentPassword):
		return &errs.Error{Code: errs.PermissionDenied, Message: userbus.ErrCurrentPassword.Error(), Cause: err,
			Fields: map[string]string{"currentPassword": "must be your current password to change your email or password"}}
	case errors.Is(err, userbus.ErrLastAdmin):
		return &errs.Error{Code: errs.Aborted, Message: userbus.ErrLastAdmin.Error(), Cause: err}
	case errors.Is(err, userbus.ErrHasDependents):
		return errs.New(errs.Aborted, userbus.ErrHasDependents)
	}
	return errs.New(errs.Internal, err)
}
