package userapp

import (
	"net/http"
	"time"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/types/role"
	"github.com/garagesale/service/foundation/web"
)

// Config holds what the users routes need. Now may be nil.
type Config struct {
	UserBus *userbus.Business
	Auth    *auth.Auth
	// ActiveKID is the only key the token route signs with.
	ActiveKID string
	TokenTTL  time.Duration
	Now       func() time.Time
	// ClientIPHeader names the header a proxy in front of the API sets to
	// the client's address (X-Real-IP, say); empty uses the connection's.
	ClientIPHeader string
	// Signup lets anyone create a USER account at POST /v1/users/signup.
	Signup bool
}

// Routes adds the users routes to app.
func Routes(app *web.App, cfg Config) {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	a := &handlers{userBus: cfg.UserBus, auth: cfg.Auth, activeKID: cfg.ActiveKID, tokenTTL: cfg.TokenTTL, now: now,
		clientIPHeader: cfg.ClientIPHeader, signupOpen: cfg.Signup}

	authen := mid.Authenticate(cfg.Auth, cfg.UserBus)
	adminOnly := mid.Authorize(cfg.Auth, auth.RuleAdminOnly)
	adminOrSubject := mid.Authorize(cfg.Auth, auth.RuleAdminOrSubject)

	// Without a kid the active key signs: a client need not know which
	// key that is. Registered apart from /v1/users/{userID}, which would
	// otherwise take "token" for a user ID and ask for a bearer token.
	app.HandlerFunc(http.MethodGet, "/v1/users/token", a.token)
	app.HandlerFunc(http.MethodGet, "/v1/users/token/{kid}", a.token)
	app.HandlerFunc(http.MethodPost, "/v1/users/signup", a.signup)
	app.HandlerFunc(http.MethodPost, "/v1/users", a.create, authen, adminOnly)
	app.HandlerFunc(http.MethodGet, "/v1/users", a.query, authen, adminOnly)
	app.HandlerFunc(http.MethodGet, "/v1/users/{userID}", a.queryByID, authen, adminOrSubject)
	app.HandlerFunc(http.MethodPut, "/v1/users/{userID}", a.update, authen, adminOrSubject)
	app.HandlerFunc(http.MethodPut, "/v1/users/role/{userID}", a.updateRole, authen, adminOnly)
	app.HandlerFunc(http.MethodDelete, "/v1/users/{userID}", a.delete, authen, adminOrSubject)
}

func roleStrings(usr userbus.User) []string {
	return role.Strings(usr.Roles)
}
