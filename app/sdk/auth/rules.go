package auth

import (
	"context"
	"fmt"

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
		return fmt.Errorf("%w: rule %s denies subject %s", ErrForbidden, rule, claims.Subject)
	}
	return nil
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
