package productbus_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/buses"
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

// start is where the fixtures' clocks start: with nanoseconds, which the
// business must drop.
var start = time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)

// ticker is a clock that moves a second at every reading: each reading
// is start plus whole seconds, and records made one after the other are
// in order by time.
type ticker struct {
	mu sync.Mutex
	t  time.Time
}

func (c *ticker) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

type fixture struct {
	db      *dbtest.Database
	bus     *productbus.Business
	userBus *userbus.Business
	owner   userbus.User
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	db := dbtest.New(t, t.Name())
	clk := &ticker{t: start}
	bs := buses.New(buses.Config{DB: db.DB, Now: clk.now, Log: db.Log})
	owner, err := bs.User.Create(context.Background(), uuid.Nil, userbus.NewUser{
		Name: name.MustParse("Olga Owner"), Email: email.MustParse("olga@example.com"),
		Roles: []role.Role{role.User}, Password: password.MustParse("gophers"),
	})
	if err != nil {
		t.Fatalf("create owner: %v", err)
	}
	return fixture{db: db, bus: bs.Product, userBus: bs.User, owner: owner}
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
	// A reading of the clock, to the microsecond, in UTC, once.
	wantNanos := start.Truncate(time.Microsecond).Nanosecond()
	if d := prd.DateCreated; d.Nanosecond() != wantNanos || d.Location() != time.UTC || !d.After(start) || !prd.DateUpdated.Equal(d) {
		t.Errorf("dates: got %v and %v, want one reading of the clock after %v, to the microsecond", prd.DateCreated, prd.DateUpdated, start)
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

// A write made with the context of a caller's transaction (a sale taking
// stock, a request made idempotent) is part of that transaction: the
// change and its audit record stand or fall with it.
func TestWritesFollowTheCallersTransaction(t *testing.T) {
	t.Parallel()
	errRollback := errors.New("the caller fails")

	tests := []struct {
		name  string
		write func(ctx context.Context, f fixture, id uuid.UUID) error
	}{
		{"Update", func(ctx context.Context, f fixture, id uuid.UUID) error {
			seven := quantity.MustParse(7)
			_, err := f.bus.Update(ctx, f.owner.ID, id, productbus.UpdateProduct{Quantity: &seven})
			return err
		}},
		{"TakeStock", func(ctx context.Context, f fixture, id uuid.UUID) error {
			_, err := f.bus.TakeStock(ctx, f.owner.ID, id, quantity.MustParse(3))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx := context.Background()
			prd := f.create(t, "Kettle", "12.5", 10)

			for _, commit := range []bool{false, true} {
				err := sqldb.Transact(ctx, f.db.DB, func(ctx context.Context) error {
					if err := tt.write(ctx, f, prd.ID); err != nil {
						return err
					}
					if !commit {
						return errRollback
					}
					return nil
				})
				if commit && err != nil || !commit && !errors.Is(err, errRollback) {
					t.Fatalf("commit=%v: %v", commit, err)
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
		})
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
	if !got.DateUpdated.After(prd.DateUpdated) {
		t.Errorf("date updated: %v, want after the creation's %v", got.DateUpdated, prd.DateUpdated)
	}
	want := prd
	want.Name, want.Quantity, want.Cost, want.DateUpdated = newName, newQty, newCost, got.DateUpdated
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
