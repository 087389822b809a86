package userdb

import (
	"strings"

	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/sqldb"
)

// applyFilter appends the WHERE clause of filter to buf and its values to
// data. Only placeholders reach the SQL; values go through data.
func applyFilter(filter userbus.QueryFilter, data map[string]any, buf *strings.Builder) {
	var wc []string

	if filter.ID != nil {
		data["user_id"] = *filter.ID
		wc = append(wc, "user_id = :user_id")
	}
	if filter.Name != nil {
		data["name"] = "%" + sqldb.EscapeLike(*filter.Name) + "%"
		wc = append(wc, "name ILIKE :name")
	}
	if filter.Email != nil {
		data["email"] = filter.Email.String()
		wc = append(wc, "lower(email) = lower(:email)")
	}
	if filter.Enabled != nil {
		data["enabled"] = *filter.Enabled
		wc = append(wc, "enabled = :enabled")
	}
	if filter.StartCreatedDate != nil {
		data["start_date_created"] = filter.StartCreatedDate.UTC()
		wc = append(wc, "date_created >= :start_date_created")
	}
	if filter.EndCreatedDate != nil {
		data["end_date_created"] = filter.EndCreatedDate.UTC()
		wc = append(wc, "date_created < :end_date_created")
	}

	if len(wc) > 0 {
		buf.WriteString(" WHERE ")
		buf.WriteString(strings.Join(wc, " AND "))
	}
}
