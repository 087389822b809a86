package salebus_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/dbtest"
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

func TestCreateThatFailsAtTheInsertChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	sales := f.newSales(failingStore{Storer: f.store, failCreate: true})

	_, err := f.buy(context.Background(), sales, f.newSale(2))
	if !errors.Is(err, errInjected) {
		t.Fatalf("Create: got %v, want the injected failure", err)
	}

	f.checkState(t, state{Stock: f.initialStock, Sales: 0, Audits: f.auditsAfterTheProduct}, "after a failed sale")
}

func TestDeleteThatFailsAtTheDeleteChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()

	sale, err := f.buy(ctx, f.newSales(f.store), f.newSale(2))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	before := f.state(t)
	if want := (state{Stock: f.initialStock - 2, Sales: 1, Audits: f.auditsAfterTheProduct + 2}); before != want {
		t.Fatalf("after the sale: got %+v, want %+v (stock down, a sale, audits of the stock change and the sale)", before, want)
	}

	err = f.newSales(failingStore{Storer: f.store, failDelete: true}).Delete(ctx, f.seller, false, sale.ID)
	if !errors.Is(err, errInjected) {
		t.Fatalf("Delete: got %v, want the injected failure", err)
	}
	f.checkState(t, before, "after a failed delete")
}

func TestCreateAndDelete(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	sales := f.newSales(f.store)

	tests := []struct {
		name  string
		ns    salebus.NewSale
		err   error
		after state
	}{
		{name: "more than in stock", ns: f.newSale(f.initialStock + 1), err: salebus.ErrInsufficientStock,
			after: state{Stock: f.initialStock, Audits: f.auditsAfterTheProduct}},
		{name: "own product", ns: func() salebus.NewSale { ns := f.newSale(1); ns.BuyerID = f.seller; return ns }(),
			err: salebus.ErrOwnProduct, after: state{Stock: f.initialStock, Audits: f.auditsAfterTheProduct}},
		{name: "no such product", ns: func() salebus.NewSale { ns := f.newSale(1); ns.ProductID = uuid.New(); return ns }(),
			err: salebus.ErrProductNotFound, after: state{Stock: f.initialStock, Audits: f.auditsAfterTheProduct}},
		{name: "zero quantity", ns: f.newSale(0), err: salebus.ErrZeroQuantity,
			after: state{Stock: f.initialStock, Audits: f.auditsAfterTheProduct}},
		{name: "all of the stock", ns: f.newSale(f.initialStock),
			after: state{Stock: 0, Sales: 1, Audits: f.auditsAfterTheProduct + 2}},
	}
	var last salebus.Sale
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sale, err := f.buy(ctx, sales, tt.ns)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Create: got error %v, want %v", err, tt.err)
			}
			f.checkState(t, tt.after, "state")
			if err == nil {
				last = sale
				got, err := sales.QueryByID(ctx, sale.ID)
				if err != nil {
					t.Fatalf("QueryByID: %v", err)
				}
				if diff := cmp.Diff(sale, got, cmp.AllowUnexported(money.Money{}, quantity.Quantity{})); diff != "" {
					t.Errorf("stored sale (-created +read):\n%s", diff)
				}
			}
		})
	}

	if err := sales.Delete(ctx, uuid.Nil, true, last.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	f.checkState(t, state{Stock: f.initialStock, Sales: 0, Audits: f.auditsAfterTheProduct + 4}, "after delete: stock back, sale gone, two more audits")
	if err := sales.Delete(ctx, uuid.Nil, true, last.ID); !errors.Is(err, salebus.ErrNotFound) {
		t.Errorf("second Delete: got %v, want ErrNotFound", err)
	}
}

// TestDeleteLocksTheProductBeforeTheSale: every transaction takes the
// product's row before a sale's, so a sale delete never holds a sale while
// it waits for its product, and a product delete (whose foreign key check
// locks the product's sales) cannot wait on it in a cycle. The test holds
// the product's row, lets a delete queue behind it, and checks that the
// sale is still free to lock.
func TestDeleteLocksTheProductBeforeTheSale(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	sales := f.newSales(f.store)
	sale, err := f.buy(ctx, sales, f.newSale(1))
	if err != nil {
		t.Fatal(err)
	}

	holder, err := f.db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.ExecContext(ctx, `SELECT 1 FROM products WHERE product_id = $1 FOR UPDATE`, f.product.ID); err != nil {
		t.Fatal(err)
	}

	deleted := make(chan error, 1)
	go func() { deleted <- sales.Delete(ctx, f.buyer, true, sale.ID) }()

	// Wait until the delete is queued on the product's row.
	for waiting := 0; waiting == 0; {
		if err := f.db.GetContext(ctx, &waiting, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-deleted:
			t.Fatalf("the delete finished while the product was locked: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}

	// What a product delete's foreign key check does to the sales.
	if _, err := holder.ExecContext(ctx, `SELECT 1 FROM sales WHERE sale_id = $1 FOR KEY SHARE NOWAIT`, sale.ID); err != nil {
		t.Fatalf("the sale is locked while its delete waits for the product: %v", err)
	}
	if err := holder.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-deleted; err != nil {
		t.Fatalf("delete: %v", err)
	}
	dbtest.CheckInvariants(t, f.db, salebus.Invariants)
}

// pausingStore is a real store that stops each purchase once its sale is
// written, before the stock is taken, until released.
type pausingStore struct {
	salebus.Storer
	written chan<- struct{}
	release <-chan struct{}
}

func (s pausingStore) Create(ctx context.Context, db sqlx.ExtContext, sale salebus.Sale, since time.Time, count bool) (int, error) {
	n, err := s.Storer.Create(ctx, db, sale, since, count)
	s.written <- struct{}{}
	<-s.release
	return n, err
}

// TestBuyersHoldNoLockOnTheProductBeforeTheStock: a purchase writes its
// sale before it takes its product's row lock, and the sale's reference
// to the product is checked at commit. Checked at the insert, it would
// take a share lock on the product: a product delete would then wait
// behind two such buyers, and the second buyer's stock update would wait
// behind the delete, a deadlock Postgres breaks only after a second. Two
// buyers are stopped after their sales are written; the product's delete
// must not wait for them, and they then find no product.
func TestBuyersHoldNoLockOnTheProductBeforeTheStock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	other, err := domain.New(domain.Config{DB: f.db}).User.Create(ctx, uuid.Nil, userbus.NewUser{
		Name: dbtest.Must(name.Parse("Other")), Email: dbtest.Must(email.Parse("other@example.com")),
		Roles: []role.Role{role.User}, Password: dbtest.Must(password.Parse("gophers!")),
	})
	if err != nil {
		t.Fatal(err)
	}

	written, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	releaseAll := func() { once.Do(func() { close(release) }) }
	defer releaseAll()
	sales := f.newSales(pausingStore{Storer: f.store, written: written, release: release})
	bought := make(chan error, 2)
	for _, buyer := range []uuid.UUID{f.buyer, other.ID} {
		ns := f.newSale(1)
		ns.BuyerID = buyer
		go func() {
			_, err := f.buy(ctx, sales, ns)
			bought <- err
		}()
	}
	// Both sales are written: no lock on the product keeps the second
	// buyer from writing its sale while the first is stopped.
	for range 2 {
		select {
		case <-written:
		case err := <-bought:
			t.Fatalf("a purchase ended before its sale was written: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("a buyer could not write its sale while another was stopped after writing its own")
		}
	}

	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err = f.products.Delete(dctx, f.seller, f.product.ID)
	releaseAll()
	if err != nil {
		t.Fatalf("delete the product while two buyers have written their sales: %v", err)
	}
	for range 2 {
		if err := <-bought; !errors.Is(err, salebus.ErrProductNotFound) {
			t.Errorf("a buyer of the deleted product: got %v, want ErrProductNotFound", err)
		}
	}
	var n int
	if err := f.db.Get(&n, `SELECT count(*) FROM sales`); err != nil || n != 0 {
		t.Errorf("sales recorded: %d (%v), want 0", n, err)
	}
	dbtest.CheckInvariants(t, f.db, salebus.Invariants)
}
