package userapp

import "github.com/garagesale/service/business/domain/userbus"

// orderByFields maps the JSON names a client orders by to the business's.
var orderByFields = map[string]string{
	"id":          userbus.OrderByID,
	"name":        userbus.OrderByName,
	"email":       userbus.OrderByEmail,
	"enabled":     userbus.OrderByEnabled,
	"dateCreated": userbus.OrderByDateCreated,
}
