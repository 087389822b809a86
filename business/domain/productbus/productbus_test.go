package productbus_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/domain/auditbus/stores/auditdb"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/domain/productbus/stores/productdb"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/domain/userbus/stores/userdb"
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
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

var now = time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)

type fixture struct {
	db      *dbtest.Database
	bus     *productbus.Business
	userBus *userbus.Business
	owner   userbus.User
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	db := dbtest.New(t, t.Name())
	audit := auditbus.NewBusiness(auditdb.NewStore(db.DB), nil)
	userBus := userbus.NewBusiness(userbus.Config{
		Log: db.Log, Beginner: sqldb.NewBeginner(db.DB), Storer: userdb.NewStore(db.DB), Audit: audit,
	})
	owner, err := userBus.Create(context.Background(), uuid.Nil, userbus.NewUser{
		Name: name.MustParse("Olga Owner"), Email: email.MustParse("olga@example.com"),
		Roles: []role.Role{role.User}, Password: password.MustParse("gophers"),
	})
	if err != nil {
		t.Fatalf("create owner: %v", err)
	}
	bus := productbus.NewBusiness(productbus.Config{
		Log: db.Log, Beginner: sqldb.NewBeginner(db.DB), Storer: productdb.NewStore(db.DB),
		Audit: audit, UserBus: userBus, Now: func() time.Time { return now },
	})
	return fixture{db: db, bus: bus, userBus: userBus, owner: owner}
}

func (f fixture) create(t *testing.T, n string, cost string, qty int) productbus.Product {
	t.Helper()
	prd, err := f.bus.Create(context.Background(), f.owner.ID, productbus.NewProduct{
		UserID: f.owner.ID, Name: name.MustParse(n), Cost: money.MustParse(cost), Quantity: quantity.MustParse(qty),
	})
	if err != nil {
		t.Fatalf("create product: %v", err)
	}
	return prd
}

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

func TestCreateStoresWhatItReturns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	prd := f.create(t, "Lamp", "0.3", 4)
	if want := now.Truncate(time.Microsecond); !prd.DateCreated.Equal(want) || !prd.DateUpdated.Equal(want) {
		t.Errorf("dates: got %v and %v, want %v", prd.DateCreated, prd.DateUpdated, want)
	}
	got, err := f.bus.QueryByID(context.Background(), prd.ID)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	if diff := cmp.Diff(prd, got, cmpProduct); diff != "" {
		t.Errorf("stored product (-created +stored):\n%s", diff)
	}
}

func TestCreateRefusesDisabledOrMissingOwner(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()

	off := false
	if _, err := f.userBus.Update(ctx, uuid.Nil, f.owner.ID, userbus.UpdateUser{Enabled: &off}); err != nil {
		t.Fatalf("disable owner: %v", err)
	}

	for _, owner := range []uuid.UUID{f.owner.ID, uuid.New()} {
		_, err := f.bus.Create(ctx, owner, productbus.NewProduct{
			UserID: owner, Name: name.MustParse("X"), Cost: money.MustParse("1"), Quantity: quantity.MustParse(1),
		})
		if !errors.Is(err, productbus.ErrUserDisabled) {
			t.Errorf("owner %s: got %v, want ErrUserDisabled", owner, err)
		}
	}
	var n int
	if err := f.db.DB.Get(&n, `SELECT count(*) FROM products`); err != nil {
		t.Fatalf("count: %v", err)
	}
	if n != 0 {
		t.Errorf("products stored: %d, want 0", n)
	}
}

// A sale changes stock through a Business bound to its own transaction:
// the change and its audit record must stand or fall with that transaction.
func TestNewWithTxFollowsTheCallersTransaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()

	prd := f.create(t, "Kettle", "12.5", 10)
	seven := quantity.MustParse(7)

	for _, commit := range []bool{false, true} {
		tx, err := sqldb.NewBeginner(f.db.DB).Begin(ctx)
		if err != nil {
			t.Fatalf("begin: %v", err)
		}
		txBus, err := f.bus.NewWithTx(tx)
		if err != nil {
			t.Fatalf("NewWithTx: %v", err)
		}
		if _, err := txBus.Update(ctx, f.owner.ID, prd.ID, productbus.UpdateProduct{Quantity: &seven}); err != nil {
			t.Fatalf("update: %v", err)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatalf("finish (commit=%v): %v", commit, err)
		}

		got, err := f.bus.QueryByID(ctx, prd.ID)
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		wantQty, wantAudits := 10, []string{"created"}
		if commit {
			wantQty, wantAudits = 7, []string{"created", "updated"}
		}
		if got.Quantity.Value() != wantQty {
			t.Errorf("commit=%v: quantity %d, want %d", commit, got.Quantity.Value(), wantQty)
		}
		if diff := cmp.Diff(wantAudits, f.audits(t, prd.ID)); diff != "" {
			t.Errorf("commit=%v: audits (-want +got):\n%s", commit, diff)
		}
	}
}

// Two partial updates of different fields at once must both survive: the
// row lock makes the second read what the first wrote.
func TestConcurrentPartialUpdates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()

	prd := f.create(t, "Chair", "20", 1)
	newName := name.MustParse("Armchair")
	newQty := quantity.MustParse(9)
	newCost := money.MustParse("25.5")
	updates := []productbus.UpdateProduct{{Name: &newName}, {Quantity: &newQty}, {Cost: &newCost}}

	var wg sync.WaitGroup
	errc := make(chan error, len(updates))
	for _, up := range updates {
		wg.Go(func() {
			_, err := f.bus.Update(ctx, f.owner.ID, prd.ID, up)
			errc <- err
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatalf("update: %v", err)
		}
	}

	got, err := f.bus.QueryByID(ctx, prd.ID)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	want := prd
	want.Name, want.Quantity, want.Cost = newName, newQty, newCost
	if diff := cmp.Diff(want, got, cmpProduct); diff != "" {
		t.Errorf("after concurrent updates (-want +got):\n%s", diff)
	}
}

func TestDeleteErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()

	if err := f.bus.Delete(ctx, f.owner.ID, uuid.New()); !errors.Is(err, productbus.ErrNotFound) {
		t.Errorf("missing: got %v, want ErrNotFound", err)
	}

	prd := f.create(t, "Sold", "5", 2)
	const q = `INSERT INTO sales (sale_id, product_id, buyer_id, quantity, paid, date_created) VALUES ($1, $2, $3, 1, 500, now())`
	if _, err := f.db.DB.Exec(q, uuid.New(), prd.ID, f.owner.ID); err != nil {
		t.Fatalf("insert sale: %v", err)
	}
	if err := f.bus.Delete(ctx, f.owner.ID, prd.ID); !errors.Is(err, productbus.ErrHasSales) {
		t.Errorf("with a sale: got %v, want ErrHasSales", err)
	}
	if diff := cmp.Diff([]string{"created"}, f.audits(t, prd.ID)); diff != "" {
		t.Errorf("audits after refused delete (-want +got):\n%s", diff)
	}
}
