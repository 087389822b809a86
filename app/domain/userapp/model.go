package userapp

import (
	"context"
	"errors"
	"net/http"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/app/sdk/valid"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/business/types/role"
)

// User is a user as the API shows it: never a password or its hash.
type User struct {
	ID          string   `json:"id" openapi:"format=uuid"`
	Name        string   `json:"name"`
	Email       string   `json:"email"`
	Roles       []string `json:"roles" openapi:"enum=ADMIN|USER"`
	Department  string   `json:"department"`
	Enabled     bool     `json:"enabled"`
	DateCreated string   `json:"dateCreated" openapi:"format=date-time"`
	DateUpdated string   `json:"dateUpdated" openapi:"format=date-time"`
}

func toAppUser(bus userbus.User) User {
	return User{
		ID:          bus.ID.String(),
		Name:        bus.Name.String(),
		Email:       bus.Email.String(),
		Roles:       role.Strings(bus.Roles),
		Department:  bus.Department,
		Enabled:     bus.Enabled,
		DateCreated: query.FormatTime(bus.DateCreated),
		DateUpdated: query.FormatTime(bus.DateUpdated),
	}
}

// NewUser is the body of POST /v1/users.
type NewUser struct {
	Name            string   `json:"name" validate:"required" openapi:"minLength=1,maxLength=100"`
	Email           string   `json:"email" validate:"required" openapi:"minLength=1,maxLength=254" doc:"at most 254 bytes"`
	Roles           []string `json:"roles" validate:"required" openapi:"enum=ADMIN|USER"`
	Department      string   `json:"department" validate:"max=100"`
	Password        string   `json:"password" validate:"required" openapi:"minLength=6,maxLength=72" doc:"6 characters to 72 bytes"`
	PasswordConfirm string   `json:"passwordConfirm" validate:"required,eqfield=Password"`
}

// toBusNewUser checks every field at once, so one response names every
// bad field.
func toBusNewUser(app NewUser) (userbus.NewUser, error) {
	fe := valid.Fields(app)

	n, err := name.Parse(app.Name)
	fe.Add("name", err)
	e, err := email.Parse(app.Email)
	fe.Add("email", err)
	roles, err := role.ParseMany(app.Roles)
	fe.Add("roles", err)
	pw, err := password.Parse(app.Password)
	fe.Add("password", err)
	dept, err := userbus.ParseDepartment(app.Department)
	fe.Add("department", err)

	if err := fe.ToError(); err != nil {
		return userbus.NewUser{}, err
	}
	return userbus.NewUser{
		Name:       n,
		Email:      e,
		Roles:      roles,
		Department: dept,
		Password:   pw,
	}, nil
}

// UpdateUser is the body of PUT /v1/users/{userID}: only the fields sent
// change. Changing one's own email or password takes currentPassword.
type UpdateUser struct {
	Name            *string `json:"name" openapi:"minLength=1,maxLength=100"`
	Email           *string `json:"email" openapi:"minLength=1,maxLength=254" doc:"at most 254 bytes"`
	Department      *string `json:"department" openapi:"maxLength=100"`
	Password        *string `json:"password" openapi:"minLength=6,maxLength=72" doc:"6 characters to 72 bytes; takes passwordConfirm"`
	PasswordConfirm *string `json:"passwordConfirm" doc:"the same as password, with it"`
	Enabled         *bool   `json:"enabled"`
	CurrentPassword *string `json:"currentPassword"`
}

func toBusUpdateUser(app UpdateUser) (userbus.UpdateUser, error) {
	var bus userbus.UpdateUser
	fe := errs.FieldErrors{}
	if app.Name != nil {
		n, err := name.Parse(*app.Name)
		fe.Add("name", err)
		bus.Name = &n
	}
	if app.Email != nil {
		e, err := email.Parse(*app.Email)
		fe.Add("email", err)
		bus.Email = &e
	}
	if app.Department != nil {
		d, err := userbus.ParseDepartment(*app.Department)
		fe.Add("department", err)
		bus.Department = &d
	}
	if app.Password != nil {
		pw, err := password.Parse(*app.Password)
		fe.Add("password", err)
		if app.PasswordConfirm == nil || *app.PasswordConfirm != *app.Password {
			fe.Add("passwordConfirm", errors.New("must match password"))
		}
		bus.Password = &pw
	} else if app.PasswordConfirm != nil {
		fe.Add("password", errors.New("is required with passwordConfirm"))
	}
	bus.Enabled = app.Enabled
	bus.CurrentPassword = app.CurrentPassword

	if err := fe.ToError(); err != nil {
		return userbus.UpdateUser{}, err
	}
	return bus, nil
}

// Signup is the body of POST /v1/users/signup: a new user's own details.
// The role is always USER.
type Signup struct {
	Name            string `json:"name" validate:"required" openapi:"minLength=1,maxLength=100"`
	Email           string `json:"email" validate:"required" openapi:"minLength=1,maxLength=254" doc:"at most 254 bytes"`
	Department      string `json:"department" validate:"max=100"`
	Password        string `json:"password" validate:"required" openapi:"minLength=6,maxLength=72" doc:"6 characters to 72 bytes"`
	PasswordConfirm string `json:"passwordConfirm" validate:"required,eqfield=Password"`
}

func toBusSignup(app Signup) (userbus.NewUser, error) {
	return toBusNewUser(NewUser{
		Name: app.Name, Email: app.Email, Roles: []string{role.User.String()}, Department: app.Department,
		Password: app.Password, PasswordConfirm: app.PasswordConfirm,
	})
}

// Accepted is the answer to a signup, and to a change of one's own email:
// the same whether the email had an account or not.
type Accepted struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// UpdateUserRole is the body of PUT /v1/users/role/{userID}.
type UpdateUserRole struct {
	Roles []string `json:"roles" validate:"required" openapi:"enum=ADMIN|USER"`
}

func toBusUpdateUserRole(app UpdateUserRole) (userbus.UpdateUser, error) {
	fe := valid.Fields(app)
	roles, err := role.ParseMany(app.Roles)
	fe.Add("roles", err)
	if err := fe.ToError(); err != nil {
		return userbus.UpdateUser{}, err
	}
	return userbus.UpdateUser{Roles: roles}, nil
}

// Token is the body of a successful token request.
type Token struct {
	Token string `json:"token"`
}

// parseFilter reads the users filter parameters.
func parseFilter(ctx context.Context, r *http.Request) (userbus.QueryFilter, error) {
	f := query.NewFilter(r)

	filter := userbus.QueryFilter{
		ID:               f.UUID("id"),
		Name:             f.String("name"),
		Enabled:          f.Bool("enabled"),
		StartCreatedDate: f.Time("dateCreatedFrom"),
		EndCreatedDate:   f.Time("dateCreatedBefore"),
	}
	if s := f.String("email"); s != nil {
		e, err := email.Parse(*s)
		f.Errors.Add("email", err)
		filter.Email = &e
	}
	return filter, f.Err()
}

// listSpec reads and documents the list route's request.
var listSpec = query.ListSpec[userbus.QueryFilter, userbus.User, User]{
	Filter:       parseFilter,
	Order:        orderByFields,
	DefaultOrder: userbus.DefaultOrderBy,
	ToApp:        query.Map(toAppUser),
	Docs:         map[string]string{"name": "only those whose name holds this, in any case"},
}

// orderByFields maps the JSON names a client orders by to the business's.
var orderByFields = map[string]string{
	"id":          userbus.OrderByID,
	"name":        userbus.OrderByName,
	"email":       userbus.OrderByEmail,
	"enabled":     userbus.OrderByEnabled,
	"dateCreated": userbus.OrderByDateCreated,
}
