// Package role is the set of roles a user can hold.
package role

import (
	"fmt"
	"slices"
	"strings"
)

// Role is one of the known roles. The zero value is not a role.
type Role struct {
	value string
}

// The roles.
var (
	Admin = Role{"ADMIN"}
	User  = Role{"USER"}
)

var known = map[string]Role{
	Admin.value: Admin,
	User.value:  User,
}

// Parse returns the role named s (case-sensitive, as in tokens).
func Parse(s string) (Role, error) {
	r, ok := known[s]
	if !ok {
		return Role{}, fmt.Errorf("unknown role %q (want ADMIN or USER)", s)
	}
	return r, nil
}

// ParseMany parses a non-empty list of roles, dropping repeats.
func ParseMany(ss []string) ([]Role, error) {
	if len(ss) == 0 {
		return nil, fmt.Errorf("at least one role is required")
	}
	out := make([]Role, 0, len(ss))
	for _, s := range ss {
		r, err := Parse(s)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// String returns the role's name.
func (r Role) String() string { return r.value }

// Strings returns the names of roles.
func Strings(roles []Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = r.value
	}
	return out
}

// Join returns the role names joined by sep, for messages.
func Join(roles []Role, sep string) string {
	return strings.Join(Strings(roles), sep)
}
