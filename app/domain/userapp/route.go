package userapp

import (
	"net/http"
	"time"

	"github.com/garagesale/service/app/sdk/apidoc"
	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/clientaddr"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/app/sdk/route"
	"github.com/garagesale/service/business/domain/userbus"
)

// Config holds what the users routes need. Now may be nil.
type Config struct {
	UserBus *userbus.Business
	Auth    *auth.Auth
	// ActiveKID is the only key the token route signs with.
	ActiveKID string
	TokenTTL  time.Duration
	Now       func() time.Time
	// Clients says which client a request is from, for the limits kept
	// per client; nil is the connection's peer.
	Clients *clientaddr.Resolver
	// Signup lets anyone create a USER account at POST /v1/users/signup.
	Signup bool
}

// Routes adds the users routes, the token route and signup.
func Routes(t *route.Table, cfg Config) {
	t = t.Group("users", "Accounts: sign up, get a token, read and change your own; ADMINs manage everyone.")
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	a := &handlers{userBus: cfg.UserBus, auth: cfg.Auth, activeKID: cfg.ActiveKID, tokenTTL: cfg.TokenTTL, now: now,
		clients: cfg.Clients, signupOpen: cfg.Signup}
	token := route.Def{Method: http.MethodGet, Handler: a.token, Basic: true,
		Summary: "Get a token", Response: Token{},
		Description: "A JWT for the user whose email and password are sent as HTTP Basic auth. " +
			"Failed logins are throttled per account and client address, and per client address (429 with Retry-After).",
		Errors: []int{http.StatusTooManyRequests}}

	// Without a kid the active key signs: a client need not know which
	// key that is. Registered apart from /v1/users/{userID}, which would
	// otherwise take "token" for a user ID and ask for a bearer token.
	token.Path = "/v1/users/token"
	t.Add(token)
	token.Path, token.Name, token.Summary = "/v1/users/token/{kid}", "tokenByKey", "Get a token signed with a given key"
	token.Description += " Only the active key signs: another kid is a 404."
	token.Errors = append(token.Errors, http.StatusNotFound)
	t.Add(token)

	t.Add(route.Def{Method: http.MethodPost, Path: "/v1/users/signup", Handler: a.signup,
		Summary: "Sign up", Description: "Creates a USER account. The answer is 202 whether or not the email was taken, " +
			"so that signup does not reveal who has an account. Throttled per client address; 403 when signup is turned off.",
		Body: Signup{}, Status: http.StatusAccepted, Response: Accepted{},
		Errors: []int{http.StatusForbidden, http.StatusTooManyRequests}})
	t.Add(route.Def{Method: http.MethodPost, Path: "/v1/users", Handler: a.create, Rule: auth.RuleAdminOnly,
		Summary: "Create a user", Body: NewUser{}, Status: http.StatusCreated, Response: User{},
		Errors: []int{http.StatusConflict}})
	t.Add(route.Def{Method: http.MethodGet, Path: "/v1/users", Handler: a.query, Rule: auth.RuleAdminOnly,
		Summary: "List users", Query: listSpec.Params(), Response: query.Result[User]{}})
	t.Add(route.Def{Method: http.MethodGet, Path: "/v1/users/{userID}", Handler: a.queryByID, Rule: auth.RuleAdminOrSubject,
		Summary: "Get a user", Response: User{}, Errors: []int{http.StatusNotFound}})
	t.Add(route.Def{Method: http.MethodPut, Path: "/v1/users/{userID}", Handler: a.update, Rule: auth.RuleAdminOrSubject,
		Summary: "Change a user",
		Description: "Only the fields sent change. Changing your own email or password takes currentPassword; " +
			"a new password, or disabling, voids the tokens issued before. " +
			"Changing your own email answers 202 whether the address was free (it is yours now) or has another account " +
			"(it stays with that account), and counts against a daily limit (429).",
		Body: UpdateUser{}, Response: User{}, Accepted: Accepted{}, Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusTooManyRequests},
		ResponseHeaders: cachesBehind})
	t.Add(route.Def{Method: http.MethodPut, Path: "/v1/users/role/{userID}", Handler: a.updateRole, Rule: auth.RuleAdminOnly,
		Summary: "Change the roles of a user", Description: "The last enabled ADMIN keeps the role (409).",
		Body: UpdateUserRole{}, Response: User{}, Errors: []int{http.StatusNotFound, http.StatusConflict}, ResponseHeaders: cachesBehind})
	t.Add(route.Def{Method: http.MethodDelete, Path: "/v1/users/{userID}", Handler: a.delete, Rule: auth.RuleAdminOrSubject,
		Summary: "Delete a user", Description: "Not the last enabled ADMIN (409).",
		Status: http.StatusNoContent, Errors: []int{http.StatusNotFound, http.StatusConflict}, ResponseHeaders: cachesBehind})
}

// cachesBehind documents the header of a change some replicas did not
// acknowledge in time (notAcknowledged).
var cachesBehind = []apidoc.Param{{Name: CachesBehindHeader, Type: "string",
	Description: "sent when some replicas did not acknowledge the change in time: how many, and how soon they stop " +
		"serving the user as they were (\"2; they stop serving cached users within 3s\"); until then a change that " +
		"revokes access is not yet everywhere"}}
