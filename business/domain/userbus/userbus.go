// Package userbus is the core business logic of users: who they are, how
// they prove it, and the rules of changing them.
package userbus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/sdk/throttle"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/business/types/role"
	"github.com/garagesale/service/foundation/logger"
	"github.com/garagesale/service/foundation/otel"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// Errors of the user domain.
var (
	ErrNotFound              = errors.New("user not found")
	ErrUniqueEmail           = errors.New("email is already in use")
	ErrAuthenticationFailure = errors.New("authentication failed")
	ErrHasDependents         = errors.New("user still owns products, has sales, or other records refer to them")
	ErrLastAdmin             = errors.New("the last enabled ADMIN cannot be demoted, disabled or deleted: make another user ADMIN first")
	ErrCurrentPassword       = errors.New("the current password is missing or wrong")
)

// ThrottledError is an attempt refused before it was tried: too many
// failed logins or signups. RetryAfter says when to try again.
type ThrottledError struct {
	RetryAfter time.Duration
}

// Error rounds the wait up to whole seconds, as the Retry-After header
// does: rounded to the nearest, a wait under half a second read "retry in
// 0s" in the log beside a client's "Retry-After: 1".
func (e *ThrottledError) Error() string {
	wait := max((e.RetryAfter + time.Second - 1).Truncate(time.Second), time.Second)
	return fmt.Sprintf("too many attempts: retry in %s", wait)
}

// Limiter counts and refuses attempts per key: a *throttle.Limiter.
type Limiter interface {
	Try(ctx context.Context, key string, p throttle.Policy) (throttle.Attempt, error)
	Refund(ctx context.Context, a throttle.Attempt) error
	Reset(ctx context.Context, key string) error
}

// Throttling is how many failed logins and signups are allowed. A client
// is an address as the app layer keys it (an IPv6 /64). Logins are locked
// per account and client together, so no one can lock a victim out by
// failing at their account: the victim's own client has no failures.
type Throttling struct {
	LoginAccount throttle.Policy // logins to one account from one client; a success resets it
	LoginClient  throttle.Policy // logins from one client to any account (may be many people)
	// LoginBudget bounds the bcrypt checks of the whole service for
	// clients that have attempts counted already (failures, since a
	// success refunds them): past it they wait a short while, and a client
	// with no failures is still checked, so a flood of wrong passwords
	// neither burns the CPU nor locks anyone else out.
	LoginBudget throttle.Policy
	// LoginCeiling bounds every bcrypt check of the service, fresh
	// clients' too, so that a flood from ever new addresses cannot burn
	// the CPU either; it is well above LoginBudget, so that clients with
	// no failures are the last to wait.
	LoginCeiling throttle.Policy
	Signup       throttle.Policy // signups from one client
	EmailChange  throttle.Policy // changes of one's own email, taken or not
}

// DefaultThrottling is the Throttling of a Config that sets none.
var DefaultThrottling = Throttling{
	LoginAccount: throttle.Policy{Free: 5, Window: 15 * time.Minute, Base: time.Second, Max: 15 * time.Minute},
	LoginClient:  throttle.Policy{Free: 50, Window: 15 * time.Minute, Base: time.Second, Max: 15 * time.Minute},
	LoginBudget:  throttle.Policy{Free: 600, Window: time.Minute, Base: 5 * time.Second, Max: time.Minute},
	LoginCeiling: throttle.Policy{Free: 1800, Window: time.Minute, Base: 5 * time.Second, Max: time.Minute},
	Signup:       throttle.Policy{Free: 5, Window: time.Hour, Base: time.Minute, Max: time.Hour},
	EmailChange:  throttle.Policy{Free: 5, Window: 24 * time.Hour, Base: time.Hour, Max: 24 * time.Hour},
}

// The throttle keys' prefixes, one to a policy.
const (
	keySignup          = "signup:client:"
	keyEmailChange     = "email-change:"
	keyCurrentPassword = "current-password:"
	keyLoginAccount    = "login:account:"
	keyLoginClient     = "login:client:"
	keyLoginBudget     = "login:budget"
	keyLoginCeiling    = "login:ceiling"
)

// A Sweep is which throttle counters a sweep may forget: those whose keys
// begin with Prefix, idle for longer than Idle.
type Sweep struct {
	Prefix string
	Idle   time.Duration
}

// Sweeps are the sweeps of t's counters (zero policies taken as
// DefaultThrottling's): those of the many-keyed policies past their own
// windows, so that a flood's login counters go within minutes, then every
// counter past the longest window (a day's email changes must not be
// forgotten after an hour), which covers the single service-wide ones
// and any key no sweep names.
func (t Throttling) Sweeps() []Sweep {
	t = t.withDefaults()
	// The logins' first: a flood's counters gone, the others' sweeps,
	// which walk every idle counter for their own keys, have little to
	// walk.
	return []Sweep{
		{keyLoginAccount, t.LoginAccount.Window},
		{keyLoginClient, t.LoginClient.Window},
		{keyCurrentPassword, t.LoginAccount.Window},
		{keySignup, t.Signup.Window},
		{"", max(t.LoginAccount.Window, t.LoginClient.Window, t.LoginBudget.Window, t.LoginCeiling.Window, t.Signup.Window, t.EmailChange.Window)},
	}
}

// withDefaults fills each zero policy with DefaultThrottling's.
func (t Throttling) withDefaults() Throttling {
	or := func(p *throttle.Policy, d throttle.Policy) {
		if *p == (throttle.Policy{}) {
			*p = d
		}
	}
	d := DefaultThrottling
	or(&t.LoginAccount, d.LoginAccount)
	or(&t.LoginClient, d.LoginClient)
	or(&t.LoginBudget, d.LoginBudget)
	or(&t.LoginCeiling, d.LoginCeiling)
	or(&t.Signup, d.Signup)
	or(&t.EmailChange, d.EmailChange)
	return t
}

// Domain is the name audit records use for users.
const Domain = "user"

// Storer is what the business needs of storage, on the db each method is
// given: the pool, or a transaction.
type Storer interface {
	// Create returns ErrUniqueEmail when the email is taken.
	Create(ctx context.Context, db sqlx.ExtContext, usr User) error
	// Update returns ErrNotFound or ErrUniqueEmail.
	Update(ctx context.Context, db sqlx.ExtContext, usr User) error
	// Delete returns ErrNotFound or ErrHasDependents.
	Delete(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) error
	Query(ctx context.Context, db sqlx.ExtContext, filter QueryFilter, orderBy order.By, pg page.Page) (page.Of[User], error)
	// QueryByID returns ErrNotFound.
	QueryByID(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) (User, error)
	// QueryByIDForUpdate locks the row; it returns ErrNotFound.
	QueryByIDForUpdate(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) (User, error)
	// QueryByEmail returns ErrNotFound.
	QueryByEmail(ctx context.Context, db sqlx.ExtContext, email email.Email) (User, error)
	// ExistingIDs returns the set of those of ids that are users.
	ExistingIDs(ctx context.Context, db sqlx.ExtContext, ids []uuid.UUID) (map[uuid.UUID]bool, error)
	// LockAdmins serialises, until the transaction ends, every change
	// that could remove an ADMIN. Take it before any user row.
	LockAdmins(ctx context.Context, db sqlx.ExtContext) error
	// CountEnabledAdmins counts the enabled ADMINs but except.
	CountEnabledAdmins(ctx context.Context, db sqlx.ExtContext, except uuid.UUID) (int, error)
	// LastChange returns the number of this transaction's last change.
	LastChange(ctx context.Context, db sqlx.ExtContext) (int64, error)
	// MarkChange tells of user id again, as a change numbered after every
	// change committed before it, and returns its number.
	MarkChange(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) (int64, error)
	// ListenersBehind counts the live caches that have not dropped seq.
	ListenersBehind(ctx context.Context, db sqlx.ExtContext, seq int64) (int, error)
}

// Config holds the dependencies of a Business. Now, Limiter (one over DB),
// Cache and Log may be nil; each zero policy of Throttling is
// DefaultThrottling's.
type Config struct {
	DB         *sqlx.DB
	Now        func() time.Time
	Storer     Storer
	Audit      *auditbus.Business
	Limiter    Limiter
	Throttling Throttling
	// Cache, when set, serves Authenticated.
	Cache *Cache
	// Log, when set, hears of a change not every cache dropped in time.
	Log *logger.Logger
}

// Business manages users; every change is audited in its transaction.
type Business struct {
	db         *sqlx.DB
	now        func() time.Time
	storer     Storer
	audit      *auditbus.Business
	limiter    Limiter
	throttling Throttling
	cache      *Cache
	log        *logger.Logger
}

// NewBusiness returns a Business.
func NewBusiness(cfg Config) *Business {
	cfg.Throttling = cfg.Throttling.withDefaults()
	if cfg.Limiter == nil {
		cfg.Limiter = throttle.New(cfg.DB, cfg.Now)
	}
	return &Business{
		db:         cfg.DB,
		now:        sqldb.Clock(cfg.Now),
		storer:     cfg.Storer,
		audit:      cfg.Audit,
		limiter:    cfg.Limiter,
		throttling: cfg.Throttling,
		cache:      cfg.Cache,
		log:        cfg.Log,
	}
}

// auditData is what an audit record keeps of a user: never the hash.
func auditData(usr User) map[string]any {
	return map[string]any{
		"name":       usr.Name.String(),
		"email":      usr.Email.String(),
		"roles":      role.Strings(usr.Roles),
		"department": usr.Department,
		"enabled":    usr.Enabled,
	}
}

func newAudit(actorID uuid.UUID, usr User, action string, data any) auditbus.NewAudit {
	return auditbus.NewAudit{
		ObjID:     usr.ID,
		ObjDomain: Domain,
		ObjName:   usr.Name.String(),
		ActorID:   actorID,
		Action:    action,
		Data:      data,
		Message:   action + " user",
	}
}

// Create adds a new user on behalf of actorID (uuid.Nil for the system).
// It returns ErrUniqueEmail when the email is taken.
func (b *Business) Create(ctx context.Context, actorID uuid.UUID, nu NewUser) (User, error) {
	usr, err := b.create(ctx, "Create", func(User) uuid.UUID { return actorID }, nu)
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return usr, nil
}

// Signup creates a USER for someone signing up from the client address
// client; past the address's limit it returns a *ThrottledError before any
// work. A taken email is ErrUniqueEmail after the same work as a success,
// so a caller can hide which happened.
func (b *Business) Signup(ctx context.Context, nu NewUser, client string) (User, error) {
	if _, err := b.try(ctx, keySignup+client, b.throttling.Signup); err != nil {
		return User{}, fmt.Errorf("signup: %w", err)
	}
	nu.Roles = []role.Role{role.User}
	usr, err := b.create(ctx, "Signup", func(usr User) uuid.UUID { return usr.ID }, nu)
	if err != nil {
		return User{}, fmt.Errorf("signup: %w", err)
	}
	return usr, nil
}

// create inserts a new user with its audit record, done by actor(the new
// user), in the span of method.
func (b *Business) create(ctx context.Context, method string, actor func(User) uuid.UUID, nu NewUser) (User, error) {
	ctx, span := otel.AddSpan(ctx, "userbus."+method)
	defer span.End()

	// Hashed before the transaction: bcrypt must not hold a connection.
	hash, err := nu.Password.Hash()
	if err != nil {
		return User{}, err
	}

	now := b.now()
	usr := User{
		ID:           uuid.New(),
		Name:         nu.Name,
		Email:        nu.Email,
		Roles:        nu.Roles,
		PasswordHash: hash,
		Department:   nu.Department,
		Enabled:      true,
		DateCreated:  now,
		DateUpdated:  now,
	}

	err = sqldb.Transact(ctx, b.db, func(tx *sqlx.Tx) error {
		if err := b.storer.Create(ctx, tx, usr); err != nil {
			return err
		}
		return b.audit.Create(ctx, tx, newAudit(actor(usr), usr, auditbus.ActionCreated, auditData(usr)))
	})
	if err != nil {
		return User{}, err
	}
	return usr, nil
}

// Update applies uu to the user with id on behalf of actorID, under a row
// lock so that concurrent partial updates do not undo each other. Changing
// one's own email or password takes the current password (a wrong one is a
// failed login). A new password, new roles or disabling end the user's
// sessions. Changes that could leave no enabled ADMIN are serialised, so
// two admins demoting each other at once cannot both succeed.
//
// Changing one's own email counts against the EmailChange limit whether
// it succeeds or not, and an address another account has is left out of
// the change without an error, after the same work: the caller must not
// learn which addresses have accounts (ChangesOwnEmail says when to hide
// the outcome). It returns ErrNotFound, ErrUniqueEmail (only for a change
// of someone else), ErrCurrentPassword, ErrLastAdmin or a *ThrottledError;
// or, with the change made and the user as changed, a
// *NotAcknowledgedError.
func (b *Business) Update(ctx context.Context, actorID uuid.UUID, id uuid.UUID, uu UpdateUser) (User, error) {
	ctx, span := otel.AddSpan(ctx, "userbus.Update")
	defer span.End()

	// The password first: a change its sender cannot prove is the
	// owner's uses up none of the owner's email changes.
	if actorID == id && (uu.Email != nil || uu.Password != nil) {
		if err := b.checkCurrentPassword(ctx, id, uu.CurrentPassword, uu.Session); err != nil {
			return User{}, fmt.Errorf("update user %s: %w", id, err)
		}
	}
	ownEmail := ChangesOwnEmail(actorID, id, uu)
	if ownEmail {
		if _, err := b.try(ctx, keyEmailChange+id.String(), b.throttling.EmailChange); err != nil {
			return User{}, fmt.Errorf("update user %s: %w", id, err)
		}
	}

	var hash []byte
	if uu.Password != nil {
		// Hashed before the transaction: bcrypt must not hold a lock.
		h, err := uu.Password.Hash()
		if err != nil {
			return User{}, err
		}
		hash = h
	}

	var usr User
	var change int64
	err := sqldb.Transact(ctx, b.db, func(tx *sqlx.Tx) error {
		if uu.mayRemoveAdmin() {
			if err := b.storer.LockAdmins(ctx, tx); err != nil {
				return err
			}
		}
		var err error
		usr, err = b.storer.QueryByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if ownEmail {
			other, err := b.storer.QueryByEmail(ctx, tx, *uu.Email)
			switch {
			case err == nil && other.ID != id:
				uu.Email = nil
			case err != nil && !errors.Is(err, ErrNotFound):
				return err
			}
		}
		wasAdmin := usr.IsEnabledAdmin()
		revoke := uu.revokesTokens(usr)

		uu.apply(&usr, hash)
		usr.DateUpdated = b.now()
		if revoke {
			usr.TokenVersion++
		}
		if wasAdmin && !usr.IsEnabledAdmin() {
			if err := b.keepAnAdmin(ctx, tx, id); err != nil {
				return err
			}
		}

		if err := b.storer.Update(ctx, tx, usr); err != nil {
			return err
		}
		if change, err = b.storer.LastChange(ctx, tx); err != nil {
			return err
		}
		data := auditData(usr)
		data["passwordChanged"] = hash != nil
		return b.audit.Create(ctx, tx, newAudit(actorID, usr, auditbus.ActionUpdated, data))
	})
	if err != nil {
		return User{}, fmt.Errorf("update user %s: %w", id, err)
	}
	if err := b.settle(ctx, id, change); err != nil {
		// Made all the same: the user as changed, with the report.
		return usr, fmt.Errorf("update user %s: %w", id, err)
	}
	return usr, nil
}

// ChangesOwnEmail reports whether uu, by actorID to the user with id, is
// someone changing their own email: a change whose outcome must not be
// shown, since it would tell whether the address has an account.
func ChangesOwnEmail(actorID, id uuid.UUID, uu UpdateUser) bool {
	return actorID == id && uu.Email != nil
}

// keepAnAdmin returns ErrLastAdmin unless an enabled ADMIN other than id
// remains. Call it in tx, holding LockAdmins.
func (b *Business) keepAnAdmin(ctx context.Context, tx *sqlx.Tx, id uuid.UUID) error {
	n, err := b.storer.CountEnabledAdmins(ctx, tx, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrLastAdmin
	}
	return nil
}

// checkCurrentPassword returns nil when plain is the password of the user
// with id. It is throttled as logins to the account are, per token
// (session): per account alone, a stolen token's wrong guesses would keep
// the owner from changing the password that ends the thief's session; per
// client, a thief would spread them over many addresses.
func (b *Business) checkCurrentPassword(ctx context.Context, id uuid.UUID, plain *string, session string) error {
	usr, err := b.storer.QueryByID(ctx, b.db, id)
	if err != nil {
		return err
	}
	attempt, err := b.try(ctx, keyCurrentPassword+usr.ID.String()+":session:"+session, b.throttling.LoginAccount)
	if err != nil {
		return err
	}
	if plain != nil && password.Matches(usr.PasswordHash, *plain) {
		return b.limiter.Refund(ctx, attempt)
	}
	return ErrCurrentPassword
}

// Delete removes the user with id on behalf of actorID. It returns
// ErrNotFound, ErrHasDependents or ErrLastAdmin; or, with the user deleted,
// a *NotAcknowledgedError.
func (b *Business) Delete(ctx context.Context, actorID uuid.UUID, id uuid.UUID) error {
	ctx, span := otel.AddSpan(ctx, "userbus.Delete")
	defer span.End()

	var change int64
	err := sqldb.Transact(ctx, b.db, func(tx *sqlx.Tx) error {
		if err := b.storer.LockAdmins(ctx, tx); err != nil {
			return err
		}
		usr, err := b.storer.QueryByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if usr.IsEnabledAdmin() {
			if err := b.keepAnAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		if err := b.storer.Delete(ctx, tx, id); err != nil {
			return err
		}
		if change, err = b.storer.LastChange(ctx, tx); err != nil {
			return err
		}
		return b.audit.Create(ctx, tx, newAudit(actorID, usr, auditbus.ActionDeleted, auditData(usr)))
	})
	if err != nil {
		return fmt.Errorf("delete user %s: %w", id, err)
	}
	if err := b.settle(ctx, id, change); err != nil {
		return fmt.Errorf("delete user %s: %w", id, err)
	}
	return nil
}

// Query returns a page of the users matching filter, with their count and
// the cursor after it.
func (b *Business) Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) (page.Of[User], error) {
	ctx, span := otel.AddSpan(ctx, "userbus.Query")
	defer span.End()

	found, err := b.storer.Query(ctx, b.db, filter, orderBy, pg)
	if err != nil {
		return page.Of[User]{}, fmt.Errorf("query users: %w", err)
	}
	return found, nil
}

// QueryByID returns the user with id, or ErrNotFound.
func (b *Business) QueryByID(ctx context.Context, id uuid.UUID) (User, error) {
	ctx, span := otel.AddSpan(ctx, "userbus.QueryByID")
	defer span.End()

	usr, err := b.storer.QueryByID(ctx, b.db, id)
	if err != nil {
		return User{}, fmt.Errorf("query user %s: %w", id, err)
	}
	return usr, nil
}

// QueryByEmail returns the user with addr, or ErrNotFound.
func (b *Business) QueryByEmail(ctx context.Context, addr email.Email) (User, error) {
	ctx, span := otel.AddSpan(ctx, "userbus.QueryByEmail")
	defer span.End()

	usr, err := b.storer.QueryByEmail(ctx, b.db, addr)
	if err != nil {
		return User{}, fmt.Errorf("query user by email: %w", err)
	}
	return usr, nil
}

// dummyHash is compared against for an unknown email, so that it takes as
// long as a wrong password and the time reveals no email.
var dummyHash = []byte("$2a$10$nHurqfPXL687U.W8y1rHGOATu1wnz8ntDxnKj2vwi4Zx3Nnvsvj42")

// Exist reports which of ids are users, enabled or not.
func (b *Business) Exist(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]bool, error) {
	ctx, span := otel.AddSpan(ctx, "userbus.Exist")
	defer span.End()

	found, err := b.storer.ExistingIDs(ctx, b.db, ids)
	if err != nil {
		return nil, fmt.Errorf("look up %d users: %w", len(ids), err)
	}
	return found, nil
}

// Authenticate returns the user with addr when plain is their password
// and they are enabled, for a login from client. An unknown email, a wrong
// password and a disabled account are the same ErrAuthenticationFailure
// after the same bcrypt work, so the answer reveals nothing. Every attempt
// counts against the account-and-client's and the client's limits, and a
// client with earlier attempts against the service's budget, and every
// attempt against the service's ceiling, before the check, so a burst gets no more checks than the limits allow; past any
// of them the answer is a *ThrottledError. A success resets the
// account-and-client's count and refunds the others.
func (b *Business) Authenticate(ctx context.Context, addr email.Email, plain string, client string) (User, error) {
	ctx, span := otel.AddSpan(ctx, "userbus.Authenticate")
	defer span.End()

	// No password is longer than bcrypt reads, so such a login fails
	// without a check, and counts against no limit: the ceiling on bcrypt
	// checks was filled by logins that made none.
	if len(plain) > password.MaxBytes {
		return User{}, ErrAuthenticationFailure
	}

	var counted []throttle.Attempt
	refund := func() error {
		for _, a := range counted {
			if err := b.limiter.Refund(ctx, a); err != nil {
				return err
			}
		}
		return nil
	}
	// Each refused attempt must count against none of the limits.
	count := func(key string, p throttle.Policy) error {
		a, err := b.try(ctx, key, p)
		if err != nil {
			if rerr := refund(); rerr != nil {
				return rerr
			}
			return err
		}
		counted = append(counted, a)
		return nil
	}

	if err := count(loginKey(addr, client), b.throttling.LoginAccount); err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if err := count(keyLoginClient+client, b.throttling.LoginClient); err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if counted[1].Count() > 1 {
		if err := count(keyLoginBudget, b.throttling.LoginBudget); err != nil {
			return User{}, fmt.Errorf("authenticate: %w", err)
		}
	}
	if err := count(keyLoginCeiling, b.throttling.LoginCeiling); err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}

	usr, err := b.storer.QueryByEmail(ctx, b.db, addr)
	var ok bool
	switch {
	case errors.Is(err, ErrNotFound):
		password.Matches(dummyHash, plain)
	case err != nil:
		return User{}, fmt.Errorf("authenticate: %w", err)
	default:
		ok = password.Matches(usr.PasswordHash, plain) && usr.Enabled
	}
	if !ok {
		return User{}, ErrAuthenticationFailure
	}

	if err := b.limiter.Reset(ctx, loginKey(addr, client)); err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	counted = counted[1:]
	if err := refund(); err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	return usr, nil
}

// loginKey is the throttle key of logins to addr, in any case, from client.
func loginKey(addr email.Email, client string) string {
	return keyLoginAccount + addr.Key() + ":client:" + client
}

// try counts an attempt at key under p before it is made, and returns a
// *ThrottledError when key is locked.
func (b *Business) try(ctx context.Context, key string, p throttle.Policy) (throttle.Attempt, error) {
	attempt, err := b.limiter.Try(ctx, key, p)
	if err != nil {
		return throttle.Attempt{}, err
	}
	if attempt.Refused() {
		return throttle.Attempt{}, &ThrottledError{RetryAfter: attempt.Wait}
	}
	return attempt, nil
}
