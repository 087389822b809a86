package userdb

import (
	"cmp"
	"database/sql"
	"fmt"
	"time"

	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/role"
	"github.com/google/uuid"
)

type user struct {
	sqldb.PageKey

	ID           uuid.UUID         `db:"user_id"`
	Name         string            `db:"name"`
	Email        string            `db:"email"`
	Roles        sqldb.StringArray `db:"roles"`
	PasswordHash []byte            `db:"password_hash"`
	Department   sql.NullString    `db:"department"`
	Enabled      bool              `db:"enabled"`
	TokenVersion int               `db:"token_version"`
	DateCreated  time.Time         `db:"date_created"`
	DateUpdated  time.Time         `db:"date_updated"`
}

func toDBUser(bus userbus.User) user {
	return user{
		ID:           bus.ID,
		Name:         bus.Name.String(),
		Email:        bus.Email.String(),
		Roles:        role.Strings(bus.Roles),
		PasswordHash: bus.PasswordHash,
		Department:   sql.NullString{String: bus.Department, Valid: bus.Department != ""},
		Enabled:      bus.Enabled,
		TokenVersion: bus.TokenVersion,
		DateCreated:  bus.DateCreated.UTC(),
		DateUpdated:  bus.DateUpdated.UTC(),
	}
}

// toBusUser loads a row. A failure means the table was changed behind our
// back: an error, not a panic.
func toBusUser(db user) (userbus.User, error) {
	n, nameErr := name.Load(db.Name)
	e, emailErr := email.Load(db.Email)
	roles, rolesErr := role.ParseMany(db.Roles)
	if err := cmp.Or(nameErr, emailErr, rolesErr); err != nil {
		return userbus.User{}, fmt.Errorf("load user %s: %w", db.ID, err)
	}
	return userbus.User{
		ID:           db.ID,
		Name:         n,
		Email:        e,
		Roles:        roles,
		PasswordHash: db.PasswordHash,
		Department:   db.Department.String,
		Enabled:      db.Enabled,
		TokenVersion: db.TokenVersion,
		DateCreated:  db.DateCreated.UTC(),
		DateUpdated:  db.DateUpdated.UTC(),
	}, nil
}
