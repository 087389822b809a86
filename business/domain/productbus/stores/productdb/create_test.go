package productdb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
)

// TestCreateForAGoneOwner: an owner deleted after the business checked it
// is the foreign key's refusal, which the store reports as the owner's
// (the trigger that copies the owner's name must not fail first).
func TestCreateForAGoneOwner(t *testing.T) {
	db := dbtest.New(t, t.Name())
	now := time.Now().UTC()
	prd := productbus.Product{
		ID: uuid.New(), UserID: uuid.New(), Name: dbtest.Must(name.Parse("Lamp")),
		Cost: dbtest.Must(money.Parse("1")), Quantity: dbtest.Must(quantity.Parse(1)), DateCreated: now, DateUpdated: now,
	}
	if err := (Store{}).Create(context.Background(), db.DB, prd); !errors.Is(err, productbus.ErrUserDisabled) {
		t.Errorf("create for a missing owner: got %v, want ErrUserDisabled", err)
	}
}
