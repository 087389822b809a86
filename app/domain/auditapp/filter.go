package auditapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/auditbus"
)

// parseFilter reads ?obj_id= &obj_domain= &obj_name= (substring) &actor_id=
// &action= &since= &until= (RFC 3339).
func parseFilter(ctx context.Context, r *http.Request) (auditbus.QueryFilter, error) {
	f := query.NewFilter(r)
	filter := auditbus.QueryFilter{
		ObjID:     f.UUID("obj_id"),
		ObjDomain: f.String("obj_domain"),
		ObjName:   f.String("obj_name"),
		ActorID:   f.UUID("actor_id"),
		Action:    f.String("action"),
		Since:     f.Time("since"),
		Until:     f.Time("until"),
	}
	if err := f.Err(); err != nil {
		return auditbus.QueryFilter{}, err
	}
	return filter, nil
}
