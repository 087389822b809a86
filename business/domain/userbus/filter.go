package userbus

import (
	"time"

	"github.com/garagesale/service/business/types/email"
	"github.com/google/uuid"
)

// QueryFilter narrows a user query; nil fields do not filter.
type QueryFilter struct {
	ID               *uuid.UUID
	Name             *string // substring, any case
	Email            *email.Email
	Enabled          *bool
	StartCreatedDate *time.Time // inclusive
	EndCreatedDate   *time.Time // exclusive
}
