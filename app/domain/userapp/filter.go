package userapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/types/email"
)

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
