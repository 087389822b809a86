package auth

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// The roles a token may carry, spelled as they appear in the "roles" claim.
const (
	RoleAdmin = "ADMIN"
	RoleUser  = "USER"
)

// Claims is the payload of a token: Subject is the user ID; Issuer,
// IssuedAt and ExpiresAt are present in every token this package accepts.
type Claims struct {
	jwt.RegisteredClaims
	Roles []string `json:"roles"`
	// Version is the user's token version at issue: the token is void once
	// the user's has moved on (a new password, new roles, disabling).
	Version int `json:"ver,omitempty"`
}

// NewClaims returns claims for userID with roles, issued at now and expiring
// ttl later. GenerateToken fills in the issuer.
func NewClaims(userID uuid.UUID, roles []string, now time.Time, ttl time.Duration) Claims {
	return Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   userID.String(),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Roles: slices.Clone(roles),
	}
}

// HasRole reports whether the claims carry role.
func (c Claims) HasRole(role string) bool {
	return slices.Contains(c.Roles, role)
}

// UserID returns the subject as a user ID.
func (c Claims) UserID() (uuid.UUID, error) {
	id, err := uuid.Parse(c.Subject)
	if err != nil {
		return uuid.Nil, fmt.Errorf("subject is not a user ID: %w", err)
	}
	return id, nil
}

// validate checks what the signature cannot: that the subject names a user
// and every role is known. Generation applies it too, so no token is
// issued that would be refused.
func (c Claims) validate() error {
	if _, err := c.UserID(); err != nil {
		return err
	}
	if len(c.Roles) == 0 {
		return errors.New("no roles")
	}
	for _, r := range c.Roles {
		if r != RoleAdmin && r != RoleUser {
			return fmt.Errorf("unknown role %q", r)
		}
	}
	return nil
}
