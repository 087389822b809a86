package mid

import (
	"context"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/google/uuid"
)

type ctxKey int

const (
	claimsKey ctxKey = iota + 1
	userKey
)

// GetClaims returns the verified claims of the caller.
func GetClaims(ctx context.Context) (auth.Claims, bool) {
	c, ok := ctx.Value(claimsKey).(auth.Claims)
	return c, ok
}

// ActorID returns the ID of the authenticated caller, for audit records;
// uuid.Nil when the route is not authenticated.
func ActorID(ctx context.Context) uuid.UUID {
	u, _ := ctx.Value(userKey).(userbus.User)
	return u.ID
}
