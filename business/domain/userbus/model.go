package userbus

import (
	"slices"
	"strings"
	"time"

	"github.com/garagesale/service/business/sdk/order"
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
	// Session names the token the change comes with: wrong current
	// passwords are counted per account and token, so a thief failing at
	// it locks out the stolen token, not the owner's next login, and
	// cannot spread guesses over many clients.
	Session string
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

// ParseDepartment returns s, surrounding space trimmed, as a user's
// department: none when empty, else held to a name's rules (at most
// name.MaxLen characters, nothing invisible).
func ParseDepartment(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	n, err := name.Parse(s)
	if err != nil {
		return "", err
	}
	return n.String(), nil
}

// revokesTokens reports whether uu must end the sessions of usr, as it
// is before uu: a new password, other roles, or disabling. The same roles
// sent again change nothing a token says, nor disabling the disabled
// (their tokens died with the first).
func (uu UpdateUser) revokesTokens(usr User) bool {
	return uu.Password != nil || (uu.Roles != nil && !sameRoles(uu.Roles, usr.Roles)) || (uu.Enabled != nil && !*uu.Enabled && usr.Enabled)
}

// sameRoles reports whether a and b hold the same roles, in any order.
func sameRoles(a, b []role.Role) bool {
	return !slices.ContainsFunc(a, func(r role.Role) bool { return !slices.Contains(b, r) }) &&
		!slices.ContainsFunc(b, func(r role.Role) bool { return !slices.Contains(a, r) })
}

// mayRemoveAdmin reports whether uu could take away an ADMIN.
func (uu UpdateUser) mayRemoveAdmin() bool {
	return uu.Roles != nil || (uu.Enabled != nil && !*uu.Enabled)
}

// QueryFilter narrows a user query; nil fields do not filter.
type QueryFilter struct {
	ID               *uuid.UUID
	Name             *string // substring, any case
	Email            *email.Email
	Enabled          *bool
	StartCreatedDate *time.Time // inclusive
	EndCreatedDate   *time.Time // exclusive
}

// DefaultOrderBy is the order of a query that names none.
var DefaultOrderBy = order.NewBy(OrderByID, order.ASC)

// Fields a user query can be ordered by.
const (
	OrderByID          = "user_id"
	OrderByName        = "name"
	OrderByEmail       = "email"
	OrderByEnabled     = "enabled"
	OrderByDateCreated = "date_created"
)
