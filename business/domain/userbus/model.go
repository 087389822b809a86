package userbus

import (
	"slices"
	"time"

	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/business/types/role"
	"github.com/google/uuid"
)

// User is a user of the system as the business knows it.
type User struct {
	ID           uuid.UUID
	Name         name.Name
	Email        email.Email
	Roles        []role.Role
	PasswordHash []byte
	Department   string
	Enabled      bool
	// TokenVersion is raised to end the user's sessions: a token issued
	// under an older one is refused.
	TokenVersion int
	DateCreated  time.Time
	DateUpdated  time.Time
}

// IsEnabledAdmin reports whether usr can act as an ADMIN.
func (usr User) IsEnabledAdmin() bool {
	return usr.Enabled && slices.Contains(usr.Roles, role.Admin)
}

// NewUser is what it takes to create a user.
type NewUser struct {
	Name       name.Name
	Email      email.Email
	Roles      []role.Role
	Department string
	Password   password.Password
}

// UpdateUser is a partial update: nil fields are left as they are.
type UpdateUser struct {
	Name       *name.Name
	Email      *email.Email
	Roles      []role.Role
	Department *string
	Password   *password.Password
	Enabled    *bool

	// CurrentPassword proves a user changing their own email or password
	// is who they say, so a stolen token cannot take the account over.
	CurrentPassword *string
}

// revokesTokens reports whether uu must end the user's sessions.
func (uu UpdateUser) revokesTokens() bool {
	return uu.Password != nil || uu.Roles != nil || (uu.Enabled != nil && !*uu.Enabled)
}

// mayRemoveAdmin reports whether uu could take away an ADMIN.
func (uu UpdateUser) mayRemoveAdmin() bool {
	return uu.Roles != nil || (uu.Enabled != nil && !*uu.Enabled)
}
