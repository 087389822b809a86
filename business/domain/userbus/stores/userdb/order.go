package userdb

import "github.com/garagesale/service/business/domain/userbus"

var orderByColumns = map[string]string{
	userbus.OrderByID:          "user_id",
	userbus.OrderByName:        "name",
	userbus.OrderByEmail:       "lower(email)",
	userbus.OrderByEnabled:     "enabled",
	userbus.OrderByDateCreated: "date_created",
}
