package salebus_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/domain/salebus/stores/saledb"
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
	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

var errInjected = errors.New("injected store failure")

// failingStore is a real store whose writes fail after everything before
// them in the transaction (the stock change, its audit row) has been done.
type failingStore struct {
	salebus.Storer
	failCreate, failDelete bool
}

func (s failingStore) Create(ctx context.Context, sale salebus.Sale) error {
	if s.failCreate {
		return errInjected
	}
	return s.Storer.Create(ctx, sale)
}

func (s failingStore) Delete(ctx context.Context, id uuid.UUID) error {
	if s.failDelete {
		return errInjected
	}
	return s.Storer.Delete(ctx, id)
}

type fixture struct {
	db                    *sqlx.DB
	products              *productbus.Business
	newSales              func(salebus.Storer) *salebus.Business
	store                 salebus.Storer
	seller, buyer         uuid.UUID
	product               productbus.Product
	initialStock          int
	auditsAfterTheProduct int
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	db := dbtest.New(t, t.Name()).DB
	ctx := context.Background()

	bs := buses.New(buses.Config{DB: db})
	users, products := bs.User, bs.Product

	newUser := func(addr string) uuid.UUID {
		u, err := users.Create(ctx, uuid.Nil, userbus.NewUser{
			Name: name.MustParse("Someone"), Email: email.MustParse(addr),
			Roles: []role.Role{role.User}, Password: password.MustParse("gophers!"),
		})
		if err != nil {
			t.Fatalf("create user: %v", err)
		}
		return u.ID
	}
	seller, buyer := newUser("seller@example.com"), newUser("buyer@example.com")

	const stock = 5
	p, err := products.Create(ctx, seller, productbus.NewProduct{
		UserID: seller, Name: name.MustParse("Lamp"), Cost: money.MustParse("12.5"), Quantity: quantity.MustParse(stock),
	})
	if err != nil {
		t.Fatalf("create product: %v", err)
	}

	f := fixture{
		db:       db,
		products: products,
		store:    saledb.NewStore(db),
		seller:   seller,
		buyer:    buyer,
		product:  p,
		// The sale domain by hand, over the store a test gives it; the
		// rest as the API builds it.
		newSales: func(s salebus.Storer) *salebus.Business {
			return salebus.NewBusiness(salebus.Config{
				Tx: sqldb.NewTransactor(db), Storer: s, Audit: bs.Audit, ProductBus: products,
			})
		},
		initialStock: stock,
	}
	f.auditsAfterTheProduct = f.count(t, `SELECT count(*) FROM audits`)
	return f
}

func (f fixture) count(t *testing.T, q string) int {
	t.Helper()
	var n int
	if err := f.db.Get(&n, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// state is what a sale changes: the stock, the sales and the audit rows.
type state struct {
	Stock  int
	Sales  int
	Audits int
}

func (f fixture) state(t *testing.T) state {
	t.Helper()
	p, err := f.products.QueryByID(context.Background(), f.product.ID)
	if err != nil {
		t.Fatalf("query product: %v", err)
	}
	return state{
		Stock:  p.Quantity.Value(),
		Sales:  f.count(t, `SELECT count(*) FROM sales`),
		Audits: f.count(t, `SELECT count(*) FROM audits`),
	}
}

func (f fixture) newSale(q int) salebus.NewSale {
	return salebus.NewSale{
		ProductID: f.product.ID, BuyerID: f.buyer, Quantity: quantity.MustParse(q), Paid: money.MustParse("25"),
	}
}

func TestCreateThatFailsAtTheInsertChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	sales := f.newSales(failingStore{Storer: f.store, failCreate: true})

	_, err := sales.Create(context.Background(), f.buyer, f.newSale(2))
	if !errors.Is(err, errInjected) {
		t.Fatalf("Create: got %v, want the injected failure", err)
	}

	want := state{Stock: f.initialStock, Sales: 0, Audits: f.auditsAfterTheProduct}
	if diff := cmp.Diff(want, f.state(t)); diff != "" {
		t.Errorf("after a failed sale (-want +got):\n%s", diff)
	}
}

func TestDeleteThatFailsAtTheDeleteChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()

	sale, err := f.newSales(f.store).Create(ctx, f.buyer, f.newSale(2))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	before := f.state(t)
	if want := (state{Stock: f.initialStock - 2, Sales: 1, Audits: f.auditsAfterTheProduct + 2}); before != want {
		t.Fatalf("after the sale: got %+v, want %+v (stock down, a sale, audits of the stock change and the sale)", before, want)
	}

	err = f.newSales(failingStore{Storer: f.store, failDelete: true}).Delete(ctx, f.seller, sale.ID)
	if !errors.Is(err, errInjected) {
		t.Fatalf("Delete: got %v, want the injected failure", err)
	}
	if diff := cmp.Diff(before, f.state(t)); diff != "" {
		t.Errorf("after a failed delete (-want +got):\n%s", diff)
	}
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
			sale, err := sales.Create(ctx, tt.ns.BuyerID, tt.ns)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Create: got error %v, want %v", err, tt.err)
			}
			if diff := cmp.Diff(tt.after, f.state(t)); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
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

	if err := sales.Delete(ctx, uuid.Nil, last.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	want := state{Stock: f.initialStock, Sales: 0, Audits: f.auditsAfterTheProduct + 4}
	if diff := cmp.Diff(want, f.state(t)); diff != "" {
		t.Errorf("after delete: stock back, sale gone, two more audits (-want +got):\n%s", diff)
	}
	if err := sales.Delete(ctx, uuid.Nil, last.ID); !errors.Is(err, salebus.ErrNotFound) {
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
	sale, err := sales.Create(ctx, f.buyer, salebus.NewSale{
		ProductID: f.product.ID, BuyerID: f.buyer, Quantity: quantity.MustParse(1), Paid: money.MustParse("1"),
	})
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
	go func() { deleted <- sales.Delete(ctx, f.buyer, sale.ID) }()

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
	dbtest.CheckInvariants(t, f.db)
}
