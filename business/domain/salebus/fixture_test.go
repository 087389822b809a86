package salebus_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/domain/salebus/stores/saledb"
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

var errInjected = errors.New("injected store failure")

// failingStore is a real store whose writes fail: a sale's insert, the
// purchase's first write, and a sale's delete, after its stock has been
// returned and audited.
type failingStore struct {
	salebus.Storer
	failCreate, failDelete bool
}

func (s failingStore) Create(ctx context.Context, db sqlx.ExtContext, sale salebus.Sale, since time.Time, count bool) (int, error) {
	if s.failCreate {
		return 0, errInjected
	}
	return s.Storer.Create(ctx, db, sale, since, count)
}

func (s failingStore) Delete(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) error {
	if s.failDelete {
		return errInjected
	}
	return s.Storer.Delete(ctx, db, id)
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

	bs := domain.New(domain.Config{DB: db})
	users, products := bs.User, bs.Product

	newUser := func(addr string) uuid.UUID {
		u, err := users.Create(ctx, uuid.Nil, userbus.NewUser{
			Name: dbtest.Must(name.Parse("Someone")), Email: dbtest.Must(email.Parse(addr)),
			Roles: []role.Role{role.User}, Password: dbtest.Must(password.Parse("gophers!")),
		})
		if err != nil {
			t.Fatalf("create user: %v", err)
		}
		return u.ID
	}
	seller, buyer := newUser("seller@example.com"), newUser("buyer@example.com")

	const stock = 5
	p := putUp(t, db, products, seller, "Lamp", stock)

	f := fixture{
		db:       db,
		products: products,
		store:    saledb.Store{},
		seller:   seller,
		buyer:    buyer,
		product:  p,
		// The sale domain by hand, over the store a test gives it; the
		// rest as the API builds it.
		newSales: func(s salebus.Storer) *salebus.Business {
			return salebus.NewBusiness(salebus.Config{
				DB: db, Storer: s, Audit: bs.Audit, Stock: products, Buyers: users,
			})
		},
		initialStock: stock,
	}
	f.auditsAfterTheProduct = f.count(t, `SELECT count(*) FROM audits`)
	return f
}

// putUp makes a product of owner's, costing 12.5, with qty in stock.
func putUp(t *testing.T, db *sqlx.DB, products *productbus.Business, owner uuid.UUID, n string, qty int) productbus.Product {
	t.Helper()
	ctx := context.Background()
	var p productbus.Product
	err := sqldb.Transact(ctx, db, func(tx *sqlx.Tx) (err error) {
		p, err = products.Create(ctx, tx, owner, productbus.NewProduct{
			UserID: owner, Name: dbtest.Must(name.Parse(n)), Cost: dbtest.Must(money.Parse("12.5")), Quantity: dbtest.Must(quantity.Parse(qty)),
		})
		return err
	})
	if err != nil {
		t.Fatalf("create product: %v", err)
	}
	return p
}

// buy runs sales.Create in a transaction of its own, by the sale's buyer.
func (f fixture) buy(ctx context.Context, sales *salebus.Business, ns salebus.NewSale) (salebus.Sale, error) {
	sale, err := sales.Prepare(ns)
	if err != nil {
		return salebus.Sale{}, err
	}
	err = sqldb.Transact(ctx, f.db, func(tx *sqlx.Tx) error {
		return sales.Create(ctx, tx, ns.BuyerID, sale)
	})
	return sale, err
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

// newSale is a sale of q of the product to the buyer, at its price.
func (f fixture) newSale(q int) salebus.NewSale {
	return salebus.NewSale{
		ProductID: f.product.ID, BuyerID: f.buyer, Quantity: dbtest.Must(quantity.Parse(q)), Paid: dbtest.Must(f.product.Cost.Mul(q)),
	}
}

// checkState fails t unless the state is want, saying when.
func (f fixture) checkState(t *testing.T, want state, when string) {
	t.Helper()
	if diff := cmp.Diff(want, f.state(t)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", when, diff)
	}
}
