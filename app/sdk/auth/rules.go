package auth

import (
	"cmp"
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

// ruleWords are each rule's name, what a caller it refuses lacks, and who
// passes it in the words of the API's documentation ("" is any user).
var ruleWords = map[Rule]struct{ name, need, who string }{
	RuleAny:            {name: "any"},
	RuleUserOnly:       {name: "user_only", need: "the " + RoleUser + " role", who: "a " + RoleUser},
	RuleAdminOnly:      {name: "admin_only", need: "the " + RoleAdmin + " role", who: "an " + RoleAdmin},
	RuleAdminOrSubject: {name: "admin_or_subject", need: "the " + RoleAdmin + " role, or to be the user it names", who: "an " + RoleAdmin + ", or the user it names,"},
}

// String returns the rule's name.
func (r Rule) String() string {
	if w, ok := ruleWords[r]; ok {
		return w.name
	}
	return fmt.Sprintf("Rule(%d)", int(r))
}

// Who says who passes the rule, for the documentation; "" is any user,
// which needs no words.
func (r Rule) Who() string {
	return ruleWords[r].who
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
	need := cmp.Or(ruleWords[e.Rule].need, "a rule no caller passes")
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
