package productbus_test

import (
	"context"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain"
	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/garagesale/service/business/types/role"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

// start is where the fixtures' clocks start: with nanoseconds, which the
// business must drop. The clock moves a second at every reading.
var start = time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)

// fixture is a database with every business over it and a product owner.
type fixture struct {
	db       *dbtest.Database
	bus      *productbus.Business
	userBus  *userbus.Business
	auditBus *auditbus.Business
	owner    userbus.User
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	db := dbtest.New(t, t.Name())
	bs := domain.New(domain.Config{DB: db.DB, Now: dbtest.Ticker(start), Log: db.Log})
	owner, err := bs.User.Create(context.Background(), uuid.Nil, userbus.NewUser{
		Name: dbtest.Must(name.Parse("Olga Owner")), Email: dbtest.Must(email.Parse("olga@example.com")),
		Roles: []role.Role{role.User}, Password: dbtest.Must(password.Parse("gophers")),
	})
	if err != nil {
		t.Fatalf("create owner: %v", err)
	}
	return fixture{db: db, bus: bs.Product, userBus: bs.User, auditBus: bs.Audit, owner: owner}
}

// newProduct is a product of owner's.
func newProduct(owner uuid.UUID, n string, cost string, qty int) productbus.NewProduct {
	return productbus.NewProduct{UserID: owner, Name: dbtest.Must(name.Parse(n)), Cost: dbtest.Must(money.Parse(cost)), Quantity: dbtest.Must(quantity.Parse(qty))}
}

// create puts up a product of the owner's.
func (f fixture) create(t *testing.T, n string, cost string, qty int) productbus.Product {
	t.Helper()
	ctx := context.Background()
	var prd productbus.Product
	err := sqldb.Transact(ctx, f.db.DB, func(tx *sqlx.Tx) (err error) {
		prd, err = f.bus.Create(ctx, tx, f.owner.ID, newProduct(f.owner.ID, n, cost, qty))
		return err
	})
	if err != nil {
		t.Fatalf("create product: %v", err)
	}
	return prd
}

// stored reads the product id back.
func (f fixture) stored(t *testing.T, id uuid.UUID) productbus.Product {
	t.Helper()
	prd, err := f.bus.QueryByID(context.Background(), id)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	return prd
}

// audits lists the actions of the audit records of id, oldest first.
func (f fixture) audits(t *testing.T, id uuid.UUID) []string {
	t.Helper()
	var actions []string
	if err := f.db.DB.Select(&actions, `SELECT action FROM audits WHERE obj_id = $1 ORDER BY timestamp`, id); err != nil {
		t.Fatalf("select audits: %v", err)
	}
	return actions
}

// cmpProduct compares products on what the business promises to keep.
var cmpProduct = cmp.Comparer(func(a, b productbus.Product) bool {
	return a.ID == b.ID && a.UserID == b.UserID && a.Name.Equal(b.Name) && a.Cost == b.Cost &&
		a.Quantity == b.Quantity && a.DateCreated.Equal(b.DateCreated) && a.DateUpdated.Equal(b.DateUpdated)
})
