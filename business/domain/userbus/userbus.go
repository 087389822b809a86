// Package userbus is the core business logic of users: who they are, how
// they prove it, and the rules of changing them.
package userbus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/foundation/logger"
	"github.com/google/uuid"
)

// Errors of the user domain.
var (
	ErrNotFound              = errors.New("user not found")
	ErrUniqueEmail           = errors.New("email is already in use")
	ErrAuthenticationFailure = errors.New("authentication failed")
	ErrDisabled              = errors.New("user is disabled")
)

// Storer is what the business needs of storage.
type Storer interface {
	// NewWithTx returns a Storer whose statements run in tx.
	NewWithTx(tx sqldb.CommitRollbacker) (Storer, error)
	// Create returns ErrUniqueEmail when the email is taken.
	Create(ctx context.Context, usr User) error
	// Update returns ErrNotFound or ErrUniqueEmail.
	Update(ctx context.Context, usr User) error
	// Delete returns ErrNotFound.
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
	Now      func() time.Time
}

// Business manages users.
type Business struct {
	log      *logger.Logger
	beginner sqldb.Beginner
	storer   Storer
	now      func() time.Time
}

// NewBusiness returns a Business.
func NewBusiness(cfg Config) *Business {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Business{log: cfg.Log, beginner: cfg.Beginner, storer: cfg.Storer, now: now}
}

// clock returns the time once per operation, in UTC at the database's
// microsecond precision so that what is returned equals what is stored.
func (b *Business) clock() time.Time {
	return b.now().UTC().Truncate(time.Microsecond)
}

// Create adds a new user. It returns ErrUniqueEmail when the email is taken.
func (b *Business) Create(ctx context.Context, nu NewUser) (User, error) {
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

	if err := b.storer.Create(ctx, usr); err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return usr, nil
}

// Update applies uu to the user with id, under a row lock so that two
// concurrent partial updates do not undo each other. It returns ErrNotFound
// or ErrUniqueEmail.
func (b *Business) Update(ctx context.Context, id uuid.UUID, uu UpdateUser) (User, error) {
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
	err := sqldb.WithinTran(ctx, b.beginner, func(tx sqldb.CommitRollbacker) error {
		store, err := b.storer.NewWithTx(tx)
		if err != nil {
			return err
		}

		usr, err = store.QueryByIDForUpdate(ctx, id)
		if err != nil {
			return err
		}

		uu.apply(&usr, hash)
		usr.DateUpdated = b.clock()

		return store.Update(ctx, usr)
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

// Delete removes the user with id. It returns ErrNotFound.
func (b *Business) Delete(ctx context.Context, id uuid.UUID) error {
	if err := b.storer.Delete(ctx, id); err != nil {
		return fmt.Errorf("delete user %s: %w", id, err)
	}
	return nil
}

// Query returns one page of the users that match filter.
func (b *Business) Query(ctx context.Context, filter QueryFilter, orderBy order.By, pg page.Page) ([]User, error) {
	users, err := b.storer.Query(ctx, filter, orderBy, pg)
	if err != nil {
		return nil, fmt.Errorf("query users: %w", err)
	}
	return users, nil
}

// Count returns how many users match filter.
func (b *Business) Count(ctx context.Context, filter QueryFilter) (int, error) {
	n, err := b.storer.Count(ctx, filter)
	if err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// QueryByID returns the user with id, or ErrNotFound.
func (b *Business) QueryByID(ctx context.Context, id uuid.UUID) (User, error) {
	usr, err := b.storer.QueryByID(ctx, id)
	if err != nil {
		return User{}, fmt.Errorf("query user %s: %w", id, err)
	}
	return usr, nil
}

// QueryByEmail returns the user with addr, or ErrNotFound.
func (b *Business) QueryByEmail(ctx context.Context, addr email.Email) (User, error) {
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
