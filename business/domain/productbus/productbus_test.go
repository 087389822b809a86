package productbus_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

func TestCreateStoresWhatItReturns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	prd := f.create(t, "Lamp", "0.3", 4)
	// A reading of the clock, to the microsecond, in UTC, once.
	wantNanos := start.Truncate(time.Microsecond).Nanosecond()
	if d := prd.DateCreated; d.Nanosecond() != wantNanos || d.Location() != time.UTC || !d.After(start) || !prd.DateUpdated.Equal(d) {
		t.Errorf("dates: got %v and %v, want one reading of the clock after %v, to the microsecond", prd.DateCreated, prd.DateUpdated, start)
	}
	if diff := cmp.Diff(prd, f.stored(t, prd.ID), cmpProduct); diff != "" {
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
		err := sqldb.Transact(ctx, f.db.DB, func(tx *sqlx.Tx) error {
			_, err := f.bus.Create(ctx, tx, owner, newProduct(owner, "X", "1", 1))
			return err
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

// A write in a caller's transaction (a product put up with an
// Idempotency-Key, stock taken by a sale) is part of it: the change and
// its audit record stand or fall with the caller's transaction.
func TestWritesFollowTheCallersTransaction(t *testing.T) {
	t.Parallel()
	errRollback := errors.New("the caller fails")

	tests := []struct {
		name       string
		write      func(ctx context.Context, tx *sqlx.Tx, f fixture, prd productbus.Product) error
		wantQty    int
		wantAudits []string
	}{
		{"Create", func(ctx context.Context, tx *sqlx.Tx, f fixture, _ productbus.Product) error {
			_, err := f.bus.Create(ctx, tx, f.owner.ID, newProduct(f.owner.ID, "Lamp", "1", 1))
			return err
		}, 10, []string{"created"}},
		{"TakeStock", func(ctx context.Context, tx *sqlx.Tx, f fixture, prd productbus.Product) error {
			_, audit, err := f.bus.TakeStock(ctx, tx, f.owner.ID, prd.ID, dbtest.Must(quantity.Parse(3)))
			if err != nil {
				return err
			}
			return f.auditBus.Create(ctx, tx, audit)
		}, 7, []string{"created", "updated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx := context.Background()
			prd := f.create(t, "Kettle", "12.5", 10)

			for _, commit := range []bool{false, true} {
				err := sqldb.Transact(ctx, f.db.DB, func(tx *sqlx.Tx) error {
					if err := tt.write(ctx, tx, f, prd); err != nil {
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

				wantQty, wantAudits, wantProducts := 10, []string{"created"}, 1
				if commit {
					wantQty, wantAudits = tt.wantQty, tt.wantAudits
					if tt.name == "Create" {
						wantProducts = 2
					}
				}
				if got := f.stored(t, prd.ID); got.Quantity.Value() != wantQty {
					t.Errorf("commit=%v: quantity %d, want %d", commit, got.Quantity.Value(), wantQty)
				}
				if diff := cmp.Diff(wantAudits, f.audits(t, prd.ID)); diff != "" {
					t.Errorf("commit=%v: audits (-want +got):\n%s", commit, diff)
				}
				var n int
				if err := f.db.DB.Get(&n, `SELECT count(*) FROM products`); err != nil || n != wantProducts {
					t.Errorf("commit=%v: %d products (%v), want %d", commit, n, err, wantProducts)
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
	newName := dbtest.Must(name.Parse("Armchair"))
	newQty := dbtest.Must(quantity.Parse(9))
	newCost := dbtest.Must(money.Parse("25.5"))
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

	got := f.stored(t, prd.ID)
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
