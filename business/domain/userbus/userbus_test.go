package userbus_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/business/types/role"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
)

func TestCreateQueryDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bus := newBus(t)

	created := create(t, bus, "Ann", "ann@example.com", role.User)

	got, err := bus.QueryByID(ctx, created.ID)
	if err != nil {
		t.Fatalf("query by id: %v", err)
	}
	if diff := cmp.Diff(created, got, cmpUser); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}

	byEmail, err := bus.QueryByEmail(ctx, dbtest.Must(email.Parse("ANN@example.com")))
	if err != nil {
		t.Fatalf("query by email, other case: %v", err)
	}
	if diff := cmp.Diff(created.ID, byEmail.ID); diff != "" {
		t.Errorf("by email (-want +got):\n%s", diff)
	}

	_, err = bus.Create(ctx, uuid.Nil, newUser("Ann Two", "Ann@Example.com", role.User))
	if !errors.Is(err, userbus.ErrUniqueEmail) {
		t.Errorf("duplicate email in other case: got %v, want ErrUniqueEmail", err)
	}

	if err := bus.Delete(ctx, uuid.Nil, created.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := bus.QueryByID(ctx, created.ID); !errors.Is(err, userbus.ErrNotFound) {
		t.Errorf("after delete: got %v, want ErrNotFound", err)
	}
	if err := bus.Delete(ctx, uuid.Nil, created.ID); !errors.Is(err, userbus.ErrNotFound) {
		t.Errorf("delete twice: got %v, want ErrNotFound", err)
	}
}

// TestUpdateFieldsStandAlone: each field of a partial update changes alone,
// none depends on another being sent.
func TestUpdateFieldsStandAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bus := newBus(t)

	usr := create(t, bus, "Ben", "ben@example.com", role.User)
	// Another admin, so that Ben, made one below, may be disabled.
	create(t, bus, "Ada", "ada@example.com", role.Admin)

	newName := dbtest.Must(name.Parse("Benjamin"))
	newEmail := dbtest.Must(email.Parse("benjamin@example.com"))
	dept := "toys"
	off := false
	tests := []struct {
		name   string
		update userbus.UpdateUser
		change func(u *userbus.User)
	}{
		{"name", userbus.UpdateUser{Name: &newName}, func(u *userbus.User) { u.Name = newName }},
		{"email", userbus.UpdateUser{Email: &newEmail}, func(u *userbus.User) { u.Email = newEmail }},
		{"department", userbus.UpdateUser{Department: &dept}, func(u *userbus.User) { u.Department = dept }},
		{"roles", userbus.UpdateUser{Roles: []role.Role{role.Admin}}, func(u *userbus.User) { u.Roles = []role.Role{role.Admin}; u.TokenVersion++ }},
		{"enabled", userbus.UpdateUser{Enabled: &off}, func(u *userbus.User) { u.Enabled = false; u.TokenVersion++ }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bus.Update(ctx, uuid.Nil, usr.ID, tt.update)
			if err != nil {
				t.Fatalf("update: %v", err)
			}
			tt.change(&usr)
			usr.DateUpdated = got.DateUpdated

			stored, err := bus.QueryByID(ctx, usr.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(usr, stored, cmpUser); diff != "" {
				t.Errorf("stored (-want +got):\n%s", diff)
			}
		})
	}

	pw := dbtest.Must(password.Parse("new-secret"))
	if _, err := bus.Update(ctx, uuid.Nil, usr.ID, userbus.UpdateUser{Password: &pw}); err != nil {
		t.Fatal(err)
	}
	// The user is disabled by now: the right password is refused as any
	// wrong one is, so the answer does not tell that the account exists.
	if _, err := bus.Authenticate(ctx, newEmail, "new-secret", "192.0.2.1"); !errors.Is(err, userbus.ErrAuthenticationFailure) {
		t.Errorf("authenticate disabled with new password: got %v, want ErrAuthenticationFailure", err)
	}
}

// TestConcurrentPartialUpdates: two updates of different fields at once
// both stick; neither writes back a stale copy of the other's field.
func TestConcurrentPartialUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bus := newBus(t)

	usr := create(t, bus, "Cy", "cy@example.com", role.User)

	for i := range 10 {
		n := dbtest.Must(name.Parse("Cy " + string(rune('A'+i))))
		d := "dept " + string(rune('A'+i))
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, err := bus.Update(ctx, uuid.Nil, usr.ID, userbus.UpdateUser{Name: &n}); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if _, err := bus.Update(ctx, uuid.Nil, usr.ID, userbus.UpdateUser{Department: &d}); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()

		got, err := bus.QueryByID(ctx, usr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([2]string{n.String(), d}, [2]string{got.Name.String(), got.Department}); diff != "" {
			t.Fatalf("round %d (-want +got):\n%s", i, diff)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bus := newBus(t)

	usr := create(t, bus, "Di", "di@example.com", role.User)

	tests := []struct {
		name    string
		email   string
		pass    string
		wantErr error
	}{
		{"right password", "di@example.com", "gophers", nil},
		{"email in other case", "DI@example.com", "gophers", nil},
		{"wrong password", "di@example.com", "gopher", userbus.ErrAuthenticationFailure},
		{"unknown email", "nobody@example.com", "gophers", userbus.ErrAuthenticationFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bus.Authenticate(ctx, dbtest.Must(email.Parse(tt.email)), tt.pass, "192.0.2.1")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && got.ID != usr.ID {
				t.Errorf("authenticated as %s, want %s", got.ID, usr.ID)
			}
		})
	}
}

func TestQuery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bus := newBus(t)

	var all []userbus.User
	for _, u := range []struct{ n, e string }{{"Eve", "eve@example.com"}, {"Fay", "fay@example.com"}, {"Gil", "gil@example.com"}, {"Evan", "evan@example.com"}} {
		all = append(all, create(t, bus, u.n, u.e, role.User))
	}
	eve, fay, gil, evan := all[0], all[1], all[2], all[3]
	ev := "ev"
	pct := "%"

	tests := []struct {
		name   string
		filter userbus.QueryFilter
		order  order.By
		page   page.Page
		want   []userbus.User
		total  int
	}{
		{"all by name", userbus.QueryFilter{}, order.NewBy(userbus.OrderByName, order.ASC), dbtest.Must(page.Parse("1", "10")), []userbus.User{evan, eve, fay, gil}, 4},
		{"all by name desc", userbus.QueryFilter{}, order.NewBy(userbus.OrderByName, order.DESC), dbtest.Must(page.Parse("1", "10")), []userbus.User{gil, fay, eve, evan}, 4},
		{"name substring any case", userbus.QueryFilter{Name: &ev}, order.NewBy(userbus.OrderByEmail, order.ASC), dbtest.Must(page.Parse("1", "10")), []userbus.User{evan, eve}, 2},
		{"like wildcard is literal", userbus.QueryFilter{Name: &pct}, userbus.DefaultOrderBy, dbtest.Must(page.Parse("1", "10")), nil, 0},
		{"by id", userbus.QueryFilter{ID: &fay.ID}, userbus.DefaultOrderBy, dbtest.Must(page.Parse("1", "10")), []userbus.User{fay}, 1},
		{"second page", userbus.QueryFilter{}, order.NewBy(userbus.OrderByName, order.ASC), dbtest.Must(page.Parse("2", "3")), []userbus.User{gil}, 4},
		// No row carries the count of a page past the end: it is counted.
		{"past the end", userbus.QueryFilter{}, order.NewBy(userbus.OrderByName, order.ASC), dbtest.Must(page.Parse("3", "3")), nil, 4},
		{"after a cursor", userbus.QueryFilter{Name: &ev}, order.NewBy(userbus.OrderByName, order.ASC), dbtest.Must(page.Parse("1", "10")).After(page.Cursor{Key: "Evan", ID: evan.ID.String()}), []userbus.User{eve}, 2},
		{"after the last", userbus.QueryFilter{Name: &ev}, order.NewBy(userbus.OrderByName, order.ASC), dbtest.Must(page.Parse("1", "10")).After(page.Cursor{Key: "Eve", ID: eve.ID.String()}), nil, 2},
		{"created window", userbus.QueryFilter{StartCreatedDate: ptr(eve.DateCreated), EndCreatedDate: ptr(gil.DateCreated)}, order.NewBy(userbus.OrderByDateCreated, order.ASC), dbtest.Must(page.Parse("1", "10")), []userbus.User{eve, fay}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bus.Query(ctx, tt.filter, tt.order, tt.page)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.Items, cmpUser, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			if got.Total != tt.total {
				t.Errorf("count: got %d, want %d", got.Total, tt.total)
			}
		})
	}
}
