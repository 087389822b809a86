package auth

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// Rule is an access rule a route demands of the caller's claims. The zero
// Rule is invalid and denies, so a route that forgets to pick one fails
// closed.
type Rule int

// The access rules.
const (
	// RuleAny admits any authenticated user.
	RuleAny Rule = iota + 1
	// RuleUserOnly admits a caller with role USER.
	RuleUserOnly
	// RuleAdminOnly admits a caller with role ADMIN.
	RuleAdminOnly
	// RuleAdminOrSubject admits an ADMIN, or the user the route names.
	RuleAdminOrSubject
)

// String returns the rule's name.
func (r Rule) String() string {
	switch r {
	case RuleAny:
		return "any"
	case RuleUserOnly:
		return "user_only"
	case RuleAdminOnly:
		return "admin_only"
	case RuleAdminOrSubject:
		return "admin_or_subject"
	default:
		return fmt.Sprintf("Rule(%d)", int(r))
	}
}

// Authorize checks rule against claims, which Authenticate has already
// verified. userID is the user the route names, uuid.Nil when it names none.
// A denial wraps ErrForbidden.
func (a *Auth) Authorize(ctx context.Context, claims Claims, userID uuid.UUID, rule Rule) error {
	var ok bool
	switch rule {
	case RuleAny:
		ok = true
	case RuleUserOnly:
		ok = claims.HasRole(RoleUser)
	case RuleAdminOnly:
		ok = claims.HasRole(RoleAdmin)
	case RuleAdminOrSubject:
		ok = claims.HasRole(RoleAdmin) || isSubject(claims, userID)
	default:
		return fmt.Errorf("%w: unknown rule %s", ErrForbidden, rule)
	}

	if !ok {
		return &DeniedError{Rule: rule, Roles: claims.Roles}
	}
	return nil
}

// DeniedError is a caller refused by a rule, an ErrForbidden. Its message
// says what the rule needs and what the caller has.
type DeniedError struct {
	Rule  Rule
	Roles []string
}

func (e *DeniedError) Error() string {
	var need string
	switch e.Rule {
	case RuleUserOnly:
		need = "the " + RoleUser + " role"
	case RuleAdminOnly:
		need = "the " + RoleAdmin + " role"
	case RuleAdminOrSubject:
		need = "the " + RoleAdmin + " role, or to be the user it names"
	default:
		need = "a rule no caller passes"
	}
	has := "no role"
	if len(e.Roles) > 0 {
		has = "the roles " + strings.Join(e.Roles, ", ")
	}
	return "this needs " + need + "; you have " + has
}

// Is makes a DeniedError an ErrForbidden.
func (e *DeniedError) Is(target error) bool {
	return target == ErrForbidden
}

// isSubject reports whether claims belong to userID. uuid.Nil never matches,
// so a route that names no user cannot be passed as its "subject".
func isSubject(claims Claims, userID uuid.UUID) bool {
	if userID == uuid.Nil {
		return false
	}
	id, err := claims.UserID()
	return err == nil && id == userID
}
