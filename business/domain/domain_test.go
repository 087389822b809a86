package domain_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain"
	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/domain/userbus/stores/userdb"
	"github.com/garagesale/service/business/domain/vproductbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/garagesale/service/business/types/role"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

// TestNewWiresEveryBusiness: whatever the Config leaves out, New sets every
// field of Set, a domain the generator adds included.
func TestNewWiresEveryBusiness(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())

	tests := []struct {
		name string
		cfg  domain.Config
	}{
		{name: "only a pool", cfg: domain.Config{DB: db.DB}},
		{name: "everything", cfg: domain.Config{
			DB:         db.DB,
			Now:        time.Now,
			Log:        db.Log,
			Throttling: userbus.DefaultThrottling,
			UserCache:  userbus.NewCache(10, db.DB, userdb.Store{}),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := reflect.ValueOf(domain.New(tt.cfg))
			for i := range v.NumField() {
				if v.Field(i).IsZero() {
					t.Errorf("Set.%s is not set", v.Type().Field(i).Name)
				}
			}
		})
	}
}

// newUser creates a USER named n with the email addr.
func newUser(t *testing.T, bs domain.Set, n, addr string) userbus.User {
	t.Helper()
	usr, err := bs.User.Create(context.Background(), uuid.Nil, userbus.NewUser{
		Name: dbtest.Must(name.Parse(n)), Email: dbtest.Must(email.Parse(addr)),
		Roles: []role.Role{role.User}, Password: dbtest.Must(password.Parse("gophers!")),
	})
	if err != nil {
		t.Fatalf("create user %s: %v", addr, err)
	}
	return usr
}

// record is what the round trip checks of an audit record: whose change
// to what, and whether its time is a reading of the clock New was given.
type record struct {
	Domain, Name, Action string
	Actor                uuid.UUID
	OnTheClock           bool
}

// TestRoundTrip: the businesses New builds share one database, one
// transaction per change and one clock. A product made through Product and
// a sale of it through Sale read back through Product, Sale and VProduct
// (with its owner's name and the stock the sale left), and Audit holds a
// record of every change, by whom, on the clock.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	ctx := context.Background()
	start := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	now := dbtest.Ticker(start)
	bs := domain.New(domain.Config{DB: db.DB, Now: now, Log: db.Log})

	owner, buyer := newUser(t, bs, "Olga Owner", "olga@example.com"), newUser(t, bs, "Bob Buyer", "bob@example.com")

	var prd productbus.Product
	err := sqldb.Transact(ctx, db.DB, func(tx *sqlx.Tx) (err error) {
		prd, err = bs.Product.Create(ctx, tx, owner.ID, productbus.NewProduct{
			UserID: owner.ID, Name: dbtest.Must(name.Parse("Lamp")), Cost: dbtest.Must(money.Parse("12.5")), Quantity: dbtest.Must(quantity.Parse(5)),
		})
		return err
	})
	if err != nil {
		t.Fatalf("create product: %v", err)
	}
	sale, err := bs.Sale.Prepare(salebus.NewSale{
		ProductID: prd.ID, BuyerID: buyer.ID, Quantity: dbtest.Must(quantity.Parse(2)), Paid: dbtest.Must(money.Parse("25")),
	})
	if err != nil {
		t.Fatalf("prepare sale: %v", err)
	}
	err = sqldb.Transact(ctx, db.DB, func(tx *sqlx.Tx) error {
		return bs.Sale.Create(ctx, tx, buyer.ID, sale)
	})
	if err != nil {
		t.Fatalf("create sale: %v", err)
	}
	end := now()

	// The product as the sale left it; when the sale took the stock is
	// checked by the audit records.
	afterSale := prd
	afterSale.Quantity = dbtest.Must(quantity.Parse(3))
	ignoreUpdated := cmpopts.IgnoreFields(productbus.Product{}, "DateUpdated")

	audits := func(filter auditbus.QueryFilter) func(ctx context.Context) (any, error) {
		return func(ctx context.Context) (any, error) {
			as, err := bs.Audit.Query(ctx, filter, order.NewBy(auditbus.OrderByTimestamp, order.ASC), dbtest.Must(page.Parse("1", "100")))
			if err != nil {
				return nil, err
			}
			var rs []record
			for _, a := range as.Items {
				onClock := a.Timestamp.After(start) && a.Timestamp.Before(end) && a.Timestamp.Sub(start)%time.Second == 0
				rs = append(rs, record{Domain: a.ObjDomain, Name: a.ObjName, Action: a.Action, Actor: a.ActorID, OnTheClock: onClock})
			}
			return rs, nil
		}
	}
	userDomain, productDomain, saleDomain := userbus.Domain, productbus.Domain, salebus.Domain

	tests := []struct {
		name string
		read func(ctx context.Context) (any, error)
		want any
		opts []cmp.Option
	}{
		{
			name: "Product reads the stock the sale left",
			read: func(ctx context.Context) (any, error) { return bs.Product.QueryByID(ctx, prd.ID) },
			want: afterSale,
			opts: []cmp.Option{ignoreUpdated},
		},
		{
			name: "Sale reads the sale",
			read: func(ctx context.Context) (any, error) { return bs.Sale.QueryByID(ctx, sale.ID) },
			want: sale,
		},
		{
			name: "VProduct reads the product with its owner's name",
			read: func(ctx context.Context) (any, error) {
				ps, err := bs.VProduct.Query(ctx, vproductbus.QueryFilter{QueryFilter: productbus.QueryFilter{ID: &prd.ID}},
					vproductbus.DefaultOrderBy, dbtest.Must(page.Parse("1", "10")))
				return ps.Items, err
			},
			want: []vproductbus.Product{{Product: afterSale, UserName: owner.Name}},
			opts: []cmp.Option{ignoreUpdated},
		},
		{
			name: "VProduct counts the owner's products",
			read: func(ctx context.Context) (any, error) {
				ps, err := bs.VProduct.Query(ctx, vproductbus.QueryFilter{QueryFilter: productbus.QueryFilter{UserID: &owner.ID}},
					vproductbus.DefaultOrderBy, dbtest.Must(page.Parse("1", "10")))
				return ps.Total, err
			},
			want: 1,
		},
		{
			name: "Audit has the users' creation, by the system",
			read: audits(auditbus.QueryFilter{ObjDomain: &userDomain}),
			want: []record{
				{Domain: "user", Name: "Olga Owner", Action: auditbus.ActionCreated, Actor: uuid.Nil, OnTheClock: true},
				{Domain: "user", Name: "Bob Buyer", Action: auditbus.ActionCreated, Actor: uuid.Nil, OnTheClock: true},
			},
		},
		{
			name: "Audit has the product's creation and the stock the sale took",
			read: audits(auditbus.QueryFilter{ObjDomain: &productDomain, ObjID: &prd.ID}),
			want: []record{
				{Domain: "product", Name: "Lamp", Action: auditbus.ActionCreated, Actor: owner.ID, OnTheClock: true},
				{Domain: "product", Name: "Lamp", Action: auditbus.ActionUpdated, Actor: buyer.ID, OnTheClock: true},
			},
		},
		{
			name: "Audit has the sale",
			read: audits(auditbus.QueryFilter{ObjDomain: &saleDomain, ObjID: &sale.ID}),
			want: []record{
				{Domain: "sale", Name: "Lamp", Action: auditbus.ActionCreated, Actor: buyer.ID, OnTheClock: true},
			},
		},
		{
			name: "Audit counts every change",
			read: func(ctx context.Context) (any, error) {
				as, err := bs.Audit.Query(ctx, auditbus.QueryFilter{}, auditbus.DefaultOrderBy, dbtest.Must(page.Parse("1", "1")))
				return as.Total, err
			},
			want: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.read(ctx)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			opts := append([]cmp.Option{cmp.AllowUnexported(money.Money{}, quantity.Quantity{})}, tt.opts...)
			if diff := cmp.Diff(tt.want, got, opts...); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestOwnerNameFollowsTheUser: the products list shows, searches and
// orders by the owner's name as it is now: a product takes its owner's
// name when it is made, and a user's new name reaches every product of
// theirs in the renaming transaction.
func TestOwnerNameFollowsTheUser(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	ctx := context.Background()
	bs := domain.New(domain.Config{DB: db.DB, Log: db.Log})

	owner := newUser(t, bs, "Olga Owner", "olga@example.com")
	newProduct := func(n string) {
		t.Helper()
		err := sqldb.Transact(ctx, db.DB, func(tx *sqlx.Tx) error {
			_, err := bs.Product.Create(ctx, tx, owner.ID, productbus.NewProduct{
				UserID: owner.ID, Name: dbtest.Must(name.Parse(n)), Cost: dbtest.Must(money.Parse("1")), Quantity: dbtest.Must(quantity.Parse(1)),
			})
			return err
		})
		if err != nil {
			t.Fatalf("create product %s: %v", n, err)
		}
	}
	newProduct("Lamp")
	newProduct("Chair")
	if _, err := bs.User.Update(ctx, uuid.Nil, owner.ID, userbus.UpdateUser{Name: new(dbtest.Must(name.Parse("Olga Newname")))}); err != nil {
		t.Fatal(err)
	}
	newProduct("Table")

	// The products by owner name, then product name: (owner, product) pairs.
	list := func(search string) []string {
		t.Helper()
		filter := vproductbus.QueryFilter{UserName: &search}
		ps, err := bs.VProduct.Query(ctx, filter, order.NewBy(vproductbus.OrderByUserName, order.ASC), dbtest.Must(page.Parse("1", "10")))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps.Items {
			out = append(out, p.UserName.String()+": "+p.Name.String())
		}
		return out
	}
	tests := []struct {
		search string
		want   []string
	}{
		{"newname", []string{"Olga Newname: Lamp", "Olga Newname: Chair", "Olga Newname: Table"}},
		{"Owner", nil},
	}
	for _, tt := range tests {
		t.Run(tt.search, func(t *testing.T) {
			got := list(tt.search)
			if diff := cmp.Diff(tt.want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("products of owners named like %q (-want +got):\n%s", tt.search, diff)
			}
		})
	}
}

// TestOwnerNameRaces: a product written while its owner is renamed ends
// with the new name, whichever of the two transactions writes first.
func TestOwnerNameRaces(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	ctx := context.Background()
	bs := domain.New(domain.Config{DB: db.DB, Log: db.Log})

	insert := func(tx *sqlx.Tx, owner uuid.UUID) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO products (product_id, user_id, name, cost, quantity, stock_added, date_created, date_updated)
			VALUES ($1, $2, 'Lamp', 100, 1, 1, now(), now())`, uuid.New(), owner)
		return err
	}
	rename := func(tx *sqlx.Tx, owner uuid.UUID) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET name = 'Olga Newname' WHERE user_id = $1`, owner)
		return err
	}
	tests := []struct {
		name          string
		first, second func(tx *sqlx.Tx, owner uuid.UUID) error
	}{
		{"rename first", rename, insert},
		{"product first", insert, rename},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			owner := newUser(t, bs, "Olga Owner", fmt.Sprintf("olga%d@example.com", i))
			first, err := db.DB.BeginTxx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = first.Rollback() }()
			if err := tt.first(first, owner.ID); err != nil {
				t.Fatal(err)
			}
			// The second runs while the first is open, and must wait for it.
			done := make(chan error, 1)
			go func() {
				second, err := db.DB.BeginTxx(ctx, nil)
				if err != nil {
					done <- err
					return
				}
				if err := tt.second(second, owner.ID); err != nil {
					_ = second.Rollback()
					done <- err
					return
				}
				done <- second.Commit()
			}()
			waitForALockWait(t, db.DB, done)
			if err := first.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			var names []string
			if err := db.DB.SelectContext(ctx, &names, `SELECT user_name FROM products WHERE user_id = $1`, owner.ID); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"Olga Newname"}, names); diff != "" {
				t.Errorf("the product's owner name (-want +got):\n%s", diff)
			}
		})
	}
}

// waitForALockWait returns once a session of db waits for a lock, and
// fails if done ends first: the second transaction did not wait.
func waitForALockWait(t *testing.T, db *sqlx.DB, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var waiting int
		if err := db.Get(&waiting, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			return
		}
		select {
		case err := <-done:
			t.Fatalf("the second transaction did not wait for the first (error %v)", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("no lock wait within 10s")
}

// TestRenameWhileAnUploadHoldsTheProducts: a user's rename waits for an
// upload that holds their products, and the upload's sales, recorded by
// that user, do not wait for the rename: no deadlock.
func TestRenameWhileAnUploadHoldsTheProducts(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bs := domain.New(domain.Config{DB: db.DB, Log: db.Log})

	owner := newUser(t, bs, "Olga Owner", "olga@example.com")
	prd := uuid.New()
	if _, err := db.DB.ExecContext(ctx, `INSERT INTO products (product_id, user_id, name, cost, quantity, stock_added, date_created, date_updated)
		VALUES ($1, $2, 'Lamp', 100, 5, 5, now(), now())`, prd, owner.ID); err != nil {
		t.Fatal(err)
	}

	// The upload takes the stock of the owner's product.
	upload, err := db.DB.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = upload.Rollback() }()
	if _, err := upload.ExecContext(ctx, `UPDATE products SET quantity = quantity - 1 WHERE product_id = $1`, prd); err != nil {
		t.Fatal(err)
	}

	// The rename locks the user as the store does, then waits for the
	// product.
	done := make(chan error, 1)
	go func() {
		done <- sqldb.Transact(ctx, db.DB, func(tx *sqlx.Tx) error {
			if _, err := (userdb.Store{}).QueryByIDForUpdate(ctx, tx, owner.ID); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE users SET name = 'Olga Newname' WHERE user_id = $1`, owner.ID)
			return err
		})
	}()
	waitForALockWait(t, db.DB, done)

	// The upload's sale, recorded by the owner, takes a key share of the
	// user the rename holds.
	if _, err := upload.ExecContext(ctx, `INSERT INTO sales (sale_id, product_id, quantity, paid, date_created, client_id, recorded_by, taken_at)
		VALUES ($1, $2, 1, 100, now(), 'till-1', $3, now())`, uuid.New(), prd, owner.ID); err != nil {
		t.Fatalf("the upload's sale: %v", err)
	}
	if err := upload.Commit(); err != nil {
		t.Fatalf("the upload's commit: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the rename: %v", err)
	}
}
