package userdb

import (
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/sqldb"
)

// toWhere returns the conditions of filter on the users table.
func toWhere(filter userbus.QueryFilter) *sqldb.Where {
	w := sqldb.NewWhere()
	if filter.ID != nil {
		w.Add("user_id = :user_id", "user_id", *filter.ID)
	}
	if filter.Name != nil {
		w.Add("name ILIKE :name", "name", "%"+sqldb.EscapeLike(*filter.Name)+"%")
	}
	if filter.Email != nil {
		w.Add("lower(email) = lower(:email)", "email", filter.Email.String())
	}
	if filter.Enabled != nil {
		w.Add("enabled = :enabled", "enabled", *filter.Enabled)
	}
	if filter.StartCreatedDate != nil {
		w.Add("date_created >= :start_date_created", "start_date_created", filter.StartCreatedDate.UTC())
	}
	if filter.EndCreatedDate != nil {
		w.Add("date_created < :end_date_created", "end_date_created", filter.EndCreatedDate.UTC())
	}
	return w
}
