package userbus_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/throttle"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/business/types/role"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

var pageAll = dbtest.Must(page.Parse("1", "100"))

func newBus(t *testing.T) *userbus.Business {
	t.Helper()
	db := dbtest.New(t, t.Name())
	return domain.New(domain.Config{DB: db.DB, Log: db.Log}).User
}

// clock is a time the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// newBusAt is newBus on a clock the test controls, the throttle's
// included.
func newBusAt(t *testing.T, clk *clock) *userbus.Business {
	t.Helper()
	db := dbtest.New(t, t.Name())
	return domain.New(domain.Config{
		DB:  db.DB,
		Now: clk.now,
		Log: db.Log,
		Throttling: userbus.Throttling{
			LoginAccount: throttle.Policy{Free: 3, Window: time.Hour, Base: time.Minute, Max: 10 * time.Minute},
			LoginClient:  throttle.Policy{Free: 10, Window: time.Hour, Base: time.Minute, Max: 10 * time.Minute},
			Signup:       throttle.Policy{Free: 2, Window: time.Hour, Base: time.Minute, Max: time.Hour},
		},
	}).User
}

// newUser is a user with the password "gophers".
func newUser(n, addr string, roles ...role.Role) userbus.NewUser {
	return userbus.NewUser{
		Name:     dbtest.Must(name.Parse(n)),
		Email:    dbtest.Must(email.Parse(addr)),
		Roles:    roles,
		Password: dbtest.Must(password.Parse("gophers")),
	}
}

// create makes newUser(n, addr, roles...) through bus, by the system.
func create(t *testing.T, bus *userbus.Business, n, addr string, roles ...role.Role) userbus.User {
	t.Helper()
	usr, err := bus.Create(context.Background(), uuid.Nil, newUser(n, addr, roles...))
	if err != nil {
		t.Fatalf("create %s: %v", addr, err)
	}
	return usr
}

// cmpUser compares users on what the business promises to keep.
var cmpUser = cmp.Comparer(func(a, b userbus.User) bool {
	return a.ID == b.ID && a.Name.Equal(b.Name) && a.Email.Equal(b.Email) &&
		cmp.Equal(role.Strings(a.Roles), role.Strings(b.Roles)) && a.Department == b.Department &&
		a.Enabled == b.Enabled && a.DateCreated.Equal(b.DateCreated) && a.DateUpdated.Equal(b.DateUpdated)
})

func retryAfter(err error) time.Duration {
	var te *userbus.ThrottledError
	if errors.As(err, &te) {
		return te.RetryAfter
	}
	return 0
}

func ptr(t time.Time) *time.Time { return &t }
