package userbus

import (
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
	DateCreated  time.Time
	DateUpdated  time.Time
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
}
