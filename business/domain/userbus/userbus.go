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
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/business/types/role"
	"github.com/garagesale/service/foundation/logger"
	"github.com/garagesale/service/foundation/otel"
	"github.com/google/uuid"
)

// Errors of the user domain.
var (
	ErrNotFound              = errors.New("user not found")
	ErrUniqueEmail           = errors.New("email is already in use")
	ErrAuthenticationFailure = errors.New("authentication failed")
	ErrDisabled              = errors.New("user is disabled")
	ErrHasDependents         = errors.New("user still owns products or has sales")
)

// Domain is the name audit records use for users.
const Domain = "user"

// Storer is what the business needs of storage.
type Storer interface {
	// NewWithTx returns a Storer whose statements run in tx.
	NewWithTx(tx sqldb.CommitRollbacker) (Storer, error)
	// Create returns ErrUniqueEmail when the email is taken.
	Create(ctx context.Context, usr User) error
	// Update returns ErrNotFound or ErrUniqueEmail.
	Update(ctx context.Context, usr User) error
	// Delete returns ErrNotFound, or ErrHasDependents when other rows
	// refer to the user.
	Delete(ctx context.Context, id uuid.UUID) error
	Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) ([]User, error)
	Count(ctx context.Context, filter QueryFilter) (int, error)
	// QueryByID returns ErrNotFound.
	QueryByID(ctx context.Context, id uuid.UUID) (User, error)
	// QueryByIDForUpdate locks the row until the transaction ends; it
	// returns ErrNotFound.
	QueryByIDForUpdate(ctx context.Context, id uuid.UUID) (User, error)
	// QueryByEmail returns ErrNotFound.
	QueryByEmail(ctx context.Context, email email.Email) (User, error)
}

// Config holds the dependencies of a Business. Now may be nil.
type Config struct {
	Log      *logger.Logger
	Beginner sqldb.Beginner
	Storer   Storer
	Audit    *auditbus.Business
	Now      func() time.Time
}

// Business manages users. Every change is written with its audit record in
// one transaction.
type Business struct {
	log      *logger.Logger
	beginner sqldb.Beginner
	storer   Storer
	audit    *auditbus.Business
	now      func() time.Time
}

// NewBusiness returns a Business.
func NewBusiness(cfg Config) *Business {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Business{log: cfg.Log, beginner: cfg.Beginner, storer: cfg.Storer, audit: cfg.Audit, now: now}
}

// inTx runs fn with the store and the audit log bound to one transaction.
func (b *Business) inTx(ctx context.Context, fn func(store Storer, audit *auditbus.Business) error) error {
	return sqldb.WithinTran(ctx, b.beginner, func(tx sqldb.CommitRollbacker) error {
		store, err := b.storer.NewWithTx(tx)
		if err != nil {
			return err
		}
		audit, err := b.audit.NewWithTx(tx)
		if err != nil {
			return err
		}
		return fn(store, audit)
	})
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

// clock returns the time once per operation, in UTC at the database's
// microsecond precision so that what is returned equals what is stored.
func (b *Business) clock() time.Time {
	return b.now().UTC().Truncate(time.Microsecond)
}

// Create adds a new user on behalf of actorID (uuid.Nil for the system).
// It returns ErrUniqueEmail when the email is taken.
func (b *Business) Create(ctx context.Context, actorID uuid.UUID, nu NewUser) (User, error) {
	ctx, span := otel.AddSpan(ctx, "userbus.Create")
	defer span.End()

	hash, err := nu.Password.Hash()
	if err != nil {
		return User{}, err
	}

	now := b.clock()
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

	err = b.inTx(ctx, func(store Storer, audit *auditbus.Business) error {
		if err := store.Create(ctx, usr); err != nil {
			return err
		}
		_, err := audit.Create(ctx, newAudit(actorID, usr, auditbus.ActionCreated, auditData(usr)))
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return usr, nil
}

// Update applies uu to the user with id on behalf of actorID, under a row
// lock so that two concurrent partial updates do not undo each other. It
// returns ErrNotFound or ErrUniqueEmail.
func (b *Business) Update(ctx context.Context, actorID uuid.UUID, id uuid.UUID, uu UpdateUser) (User, error) {
	ctx, span := otel.AddSpan(ctx, "userbus.Update")
	defer span.End()

	var hash []byte
	if uu.Password != nil {
		// Hash before the transaction: bcrypt is slow and must not hold a lock.
		h, err := uu.Password.Hash()
		if err != nil {
			return User{}, err
		}
		hash = h
	}

	var usr User
	err := b.inTx(ctx, func(store Storer, audit *auditbus.Business) error {
		var err error
		usr, err = store.QueryByIDForUpdate(ctx, id)
		if err != nil {
			return err
		}

		uu.apply(&usr, hash)
		usr.DateUpdated = b.clock()

		if err := store.Update(ctx, usr); err != nil {
			return err
		}
		data := auditData(usr)
		data["passwordChanged"] = hash != nil
		_, err = audit.Create(ctx, newAudit(actorID, usr, auditbus.ActionUpdated, data))
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("update user %s: %w", id, err)
	}
	return usr, nil
}

// apply copies every field that is set; each field stands alone.
func (uu UpdateUser) apply(usr *User, hash []byte) {
	if uu.Name != nil {
		usr.Name = *uu.Name
	}
	if uu.Email != nil {
		usr.Email = *uu.Email
	}
	if uu.Roles != nil {
		usr.Roles = uu.Roles
	}
	if uu.Department != nil {
		usr.Department = *uu.Department
	}
	if hash != nil {
		usr.PasswordHash = hash
	}
	if uu.Enabled != nil {
		usr.Enabled = *uu.Enabled
	}
}

// Delete removes the user with id on behalf of actorID. It returns
// ErrNotFound, or ErrHasDependents while the user owns products or has
// bought something.
func (b *Business) Delete(ctx context.Context, actorID uuid.UUID, id uuid.UUID) error {
	ctx, span := otel.AddSpan(ctx, "userbus.Delete")
	defer span.End()

	err := b.inTx(ctx, func(store Storer, audit *auditbus.Business) error {
		usr, err := store.QueryByIDForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if err := store.Delete(ctx, id); err != nil {
			return err
		}
		_, err = audit.Create(ctx, newAudit(actorID, usr, auditbus.ActionDeleted, auditData(usr)))
		return err
	})
	if err != nil {
		return fmt.Errorf("delete user %s: %w", id, err)
	}
	return nil
}

// Query returns one page of the users that match filter.
func (b *Business) Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) ([]User, error) {
	ctx, span := otel.AddSpan(ctx, "userbus.Query")
	defer span.End()

	users, err := b.storer.Query(ctx, filter, orderBy, pg)
	if err != nil {
		return nil, fmt.Errorf("query users: %w", err)
	}
	return users, nil
}

// Count returns how many users match filter.
func (b *Business) Count(ctx context.Context, filter QueryFilter) (int, error) {
	ctx, span := otel.AddSpan(ctx, "userbus.Count")
	defer span.End()

	n, err := b.storer.Count(ctx, filter)
	if err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// QueryByID returns the user with id, or ErrNotFound.
func (b *Business) QueryByID(ctx context.Context, id uuid.UUID) (User, error) {
	ctx, span := otel.AddSpan(ctx, "userbus.QueryByID")
	defer span.End()

	usr, err := b.storer.QueryByID(ctx, id)
	if err != nil {
		return User{}, fmt.Errorf("query user %s: %w", id, err)
	}
	return usr, nil
}

// QueryByEmail returns the user with addr, or ErrNotFound.
func (b *Business) QueryByEmail(ctx context.Context, addr email.Email) (User, error) {
	ctx, span := otel.AddSpan(ctx, "userbus.QueryByEmail")
	defer span.End()

	usr, err := b.storer.QueryByEmail(ctx, addr)
	if err != nil {
		return User{}, fmt.Errorf("query user by email: %w", err)
	}
	return usr, nil
}

// dummyHash is compared against when no user has the email, so that an
// unknown email takes as long as a wrong password and the response time
// does not reveal which emails exist.
var dummyHash = []byte("$2a$10$nHurqfPXL687U.W8y1rHGOATu1wnz8ntDxnKj2vwi4Zx3Nnvsvj42")

// Authenticate returns the user with addr when plain is their password. An
// unknown email and a wrong password are the same ErrAuthenticationFailure;
// a disabled user is ErrDisabled.
func (b *Business) Authenticate(ctx context.Context, addr email.Email, plain string) (User, error) {
	ctx, span := otel.AddSpan(ctx, "userbus.Authenticate")
	defer span.End()

	usr, err := b.storer.QueryByEmail(ctx, addr)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			password.Matches(dummyHash, plain)
			return User{}, ErrAuthenticationFailure
		}
		return User{}, fmt.Errorf("authenticate: %w", err)
	}

	if !password.Matches(usr.PasswordHash, plain) {
		return User{}, ErrAuthenticationFailure
	}
	if !usr.Enabled {
		return User{}, ErrDisabled
	}
	return usr, nil
}
