package tests

import (
	"net/http"
	"strings"
	"testing"

	"github.com/garagesale/service/app/domain/userapp"
	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/types/role"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
)

func appUser(usr userbus.User) userapp.User {
	return userapp.User{
		ID:          usr.ID.String(),
		Name:        usr.Name.String(),
		Email:       usr.Email.String(),
		Roles:       role.Strings(usr.Roles),
		Department:  usr.Department,
		Enabled:     usr.Enabled,
		DateCreated: query.FormatTime(usr.DateCreated),
		DateUpdated: query.FormatTime(usr.DateUpdated),
	}
}

// errBody is the error a case expects: its code and the fields it names.
func errBody(code errs.Code, fields ...string) *errs.Error {
	e := &errs.Error{Code: code}
	if len(fields) > 0 {
		e.Fields = map[string]string{}
		for _, f := range fields {
			e.Fields[f] = ""
		}
	}
	return e
}

// cmpErr compares an error body by code and the names of its fields; the
// wording of messages is free to change.
func cmpErr(got, exp any) string {
	g, e := got.(*errs.Error), exp.(*errs.Error)
	keys := func(m map[string]string) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		return out
	}
	return cmp.Diff(
		struct {
			Code   errs.Code
			Fields []string
		}{e.Code, keys(e.Fields)},
		struct {
			Code   errs.Code
			Fields []string
		}{g.Code, keys(g.Fields)},
		cmpopts.SortSlices(func(a, b string) bool { return a < b }),
	)
}

// cmpNewUser ignores what the server chooses: ID and timestamps.
func cmpNewUser(got, exp any) string {
	return cmp.Diff(exp, got, cmpopts.IgnoreFields(userapp.User{}, "ID", "DateCreated", "DateUpdated"))
}

// cmpUpdatedUser ignores the update time the server stamps.
func cmpUpdatedUser(got, exp any) string {
	return cmp.Diff(exp, got, cmpopts.IgnoreFields(userapp.User{}, "DateUpdated"))
}

func TestUsersRoleMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	user1URL := "/v1/users/" + e.user1.ID.String()
	missingURL := "/v1/users/" + uuid.NewString()
	newUser := userapp.NewUser{
		Name: "Eve New", Email: "eve@example.com", Roles: []string{"USER"},
		Department: "toys", Password: "secret1", PasswordConfirm: "secret1",
	}
	created := userapp.User{Name: "Eve New", Email: "eve@example.com", Roles: []string{"USER"}, Department: "toys", Enabled: true}

	renamed := appUser(e.user1)
	renamed.Name = "Bobby"
	promoted := appUser(e.user1)
	promoted.Name = "Bobby"
	promoted.Roles = []string{"ADMIN", "USER"}

	cases := []apitest.Case{
		// POST /v1/users: admin only.
		{Name: "create/admin", Method: http.MethodPost, URL: "/v1/users", Token: e.tokens["admin"], Body: newUser,
			StatusCode: http.StatusCreated, Got: &userapp.User{}, Exp: &created, Cmp: cmpNewUser},
		{Name: "create/user", Method: http.MethodPost, URL: "/v1/users", Token: e.tokens["user1"], Body: newUser,
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied), Cmp: cmpErr},
		{Name: "create/no-token", Method: http.MethodPost, URL: "/v1/users", Body: newUser,
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "create/malformed-token", Method: http.MethodPost, URL: "/v1/users", Token: "not.a.jwt", Body: newUser,
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "create/duplicate-email", Method: http.MethodPost, URL: "/v1/users", Token: e.tokens["admin"], Body: newUser,
			StatusCode: http.StatusConflict, Got: &errs.Error{}, Exp: errBody(errs.AlreadyExists, "email"), Cmp: cmpErr},

		// GET /v1/users/{id}: admin or that user.
		{Name: "get/admin", Method: http.MethodGet, URL: user1URL, Token: e.tokens["admin"],
			StatusCode: http.StatusOK, Got: &userapp.User{}, Exp: ptr(appUser(e.user1))},
		{Name: "get/self", Method: http.MethodGet, URL: user1URL, Token: e.tokens["user1"],
			StatusCode: http.StatusOK, Got: &userapp.User{}, Exp: ptr(appUser(e.user1))},
		{Name: "get/other-user", Method: http.MethodGet, URL: user1URL, Token: e.tokens["user2"],
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied), Cmp: cmpErr},
		{Name: "get/no-token", Method: http.MethodGet, URL: user1URL,
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "get/malformed-token", Method: http.MethodGet, URL: user1URL, Token: "garbage",
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "get/admin-missing", Method: http.MethodGet, URL: missingURL, Token: e.tokens["admin"],
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		{Name: "get/malformed-uuid", Method: http.MethodGet, URL: "/v1/users/not-a-uuid", Token: e.tokens["admin"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "userID"), Cmp: cmpErr},
		{Name: "get/malformed-uuid-as-user", Method: http.MethodGet, URL: "/v1/users/not-a-uuid", Token: e.tokens["user1"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "userID"), Cmp: cmpErr},

		// PUT /v1/users/{id}: admin or that user, partial.
		{Name: "update/self", Method: http.MethodPut, URL: user1URL, Token: e.tokens["user1"], Body: map[string]any{"name": "Bobby"},
			StatusCode: http.StatusOK, Got: &userapp.User{}, Exp: &renamed, Cmp: cmpUpdatedUser},
		{Name: "update/admin", Method: http.MethodPut, URL: user1URL, Token: e.tokens["admin"], Body: map[string]any{"department": ""},
			StatusCode: http.StatusOK, Got: &userapp.User{}, Exp: &renamed, Cmp: cmpUpdatedUser},
		{Name: "update/other-user", Method: http.MethodPut, URL: user1URL, Token: e.tokens["user2"], Body: map[string]any{"name": "Hacked"},
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied), Cmp: cmpErr},
		{Name: "update/no-token", Method: http.MethodPut, URL: user1URL, Body: map[string]any{"name": "Hacked"},
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "update/admin-missing", Method: http.MethodPut, URL: missingURL, Token: e.tokens["admin"], Body: map[string]any{"name": "X"},
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		// An ADMIN may know who has an account; a user changing their own
		// email may not (TestOwnEmailChangeRevealsNothing).
		{Name: "update/email-taken-by-admin", Method: http.MethodPut, URL: user1URL, Token: e.tokens["admin"], Body: map[string]any{"email": "CAT@example.com"},
			StatusCode: http.StatusConflict, Got: &errs.Error{}, Exp: errBody(errs.AlreadyExists, "email"), Cmp: cmpErr},

		// PUT /v1/users/role/{id}: admin only.
		{Name: "role/self", Method: http.MethodPut, URL: "/v1/users/role/" + e.user1.ID.String(), Token: e.tokens["user1"], Body: map[string]any{"roles": []string{"ADMIN"}},
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied), Cmp: cmpErr},
		{Name: "role/no-token", Method: http.MethodPut, URL: "/v1/users/role/" + e.user1.ID.String(), Body: map[string]any{"roles": []string{"ADMIN"}},
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "role/admin", Method: http.MethodPut, URL: "/v1/users/role/" + e.user1.ID.String(), Token: e.tokens["admin"], Body: map[string]any{"roles": []string{"ADMIN", "USER"}},
			StatusCode: http.StatusOK, Got: &userapp.User{}, Exp: &promoted, Cmp: cmpUpdatedUser},

		// DELETE /v1/users/{id}: admin or that user.
		{Name: "delete/disabled-users-token", Method: http.MethodDelete, URL: "/v1/users/" + e.disabled.ID.String(), Token: e.tokens["disabled"],
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "delete/no-token", Method: http.MethodDelete, URL: "/v1/users/" + e.user2.ID.String(),
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "delete/admin-missing", Method: http.MethodDelete, URL: missingURL, Token: e.tokens["admin"],
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		{Name: "delete/self", Method: http.MethodDelete, URL: "/v1/users/" + e.user2.ID.String(), Token: e.tokens["user2"],
			StatusCode: http.StatusNoContent},
		{Name: "delete/self-gone-token-refused", Method: http.MethodGet, URL: "/v1/users/" + e.user2.ID.String(), Token: e.tokens["user2"],
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "delete/admin", Method: http.MethodDelete, URL: "/v1/users/" + e.disabled.ID.String(), Token: e.tokens["admin"],
			StatusCode: http.StatusNoContent},
		{Name: "delete/admin-then-gone", Method: http.MethodGet, URL: "/v1/users/" + e.disabled.ID.String(), Token: e.tokens["admin"],
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
	}
	apitest.Run(t, e.h, cases)
}

func TestUsersDeleteByOtherUserIsForbidden(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	apitest.Run(t, e.h, []apitest.Case{
		{Name: "delete/other-user", Method: http.MethodDelete, URL: "/v1/users/" + e.user1.ID.String(), Token: e.tokens["user2"],
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied), Cmp: cmpErr},
		{Name: "still-there", Method: http.MethodGet, URL: "/v1/users/" + e.user1.ID.String(), Token: e.tokens["admin"],
			StatusCode: http.StatusOK, Got: &userapp.User{}, Exp: ptr(appUser(e.user1))},
	})
}

func TestUsersQuery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	all := []userapp.User{appUser(e.admin), appUser(e.user1), appUser(e.user2), appUser(e.disabled)}
	byName := func(users ...userapp.User) []userapp.User { return users }
	page := func(items []userapp.User, total, pg, rows int) *query.Result[userapp.User] {
		return &query.Result[userapp.User]{Items: items, Total: total, Page: pg, RowsPerPage: rows}
	}
	type result = query.Result[userapp.User]

	cases := []apitest.Case{
		{Name: "admin/order-by-name", Method: http.MethodGet, URL: "/v1/users?orderBy=name,ASC", Token: e.tokens["admin"],
			StatusCode: http.StatusOK, Got: &result{}, Exp: page(all, 4, 1, 10)},
		{Name: "admin/order-by-name-desc", Method: http.MethodGet, URL: "/v1/users?orderBy=name,DESC", Token: e.tokens["admin"],
			StatusCode: http.StatusOK, Got: &result{}, Exp: page(byName(all[3], all[2], all[1], all[0]), 4, 1, 10)},
		{Name: "admin/paging-second-page", Method: http.MethodGet, URL: "/v1/users?orderBy=email&page=2&rows=3", Token: e.tokens["admin"],
			StatusCode: http.StatusOK, Got: &result{}, Exp: page(byName(all[3]), 4, 2, 3)},
		{Name: "admin/page-beyond-end", Method: http.MethodGet, URL: "/v1/users?page=9&rows=3", Token: e.tokens["admin"],
			StatusCode: http.StatusOK, Got: &result{}, Exp: page([]userapp.User{}, 4, 9, 3)},
		{Name: "admin/filter-name-substring", Method: http.MethodGet, URL: "/v1/users?name=user&orderBy=name", Token: e.tokens["admin"],
			StatusCode: http.StatusOK, Got: &result{}, Exp: page(byName(all[1], all[2]), 2, 1, 10)},
		{Name: "admin/filter-enabled-false", Method: http.MethodGet, URL: "/v1/users?enabled=false", Token: e.tokens["admin"],
			StatusCode: http.StatusOK, Got: &result{}, Exp: page(byName(all[3]), 1, 1, 10)},
		{Name: "admin/filter-email", Method: http.MethodGet, URL: "/v1/users?email=BOB@example.com", Token: e.tokens["admin"],
			StatusCode: http.StatusOK, Got: &result{}, Exp: page(byName(all[1]), 1, 1, 10)},
		{Name: "admin/rows-zero", Method: http.MethodGet, URL: "/v1/users?rows=0", Token: e.tokens["admin"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "rows"), Cmp: cmpErr},
		{Name: "admin/rows-over-100", Method: http.MethodGet, URL: "/v1/users?rows=101", Token: e.tokens["admin"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "rows"), Cmp: cmpErr},
		{Name: "admin/bad-order-field", Method: http.MethodGet, URL: "/v1/users?orderBy=password_hash", Token: e.tokens["admin"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "orderBy"), Cmp: cmpErr},
		{Name: "admin/bad-filter-uuid", Method: http.MethodGet, URL: "/v1/users?id=nope", Token: e.tokens["admin"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "id"), Cmp: cmpErr},
		{Name: "user/forbidden", Method: http.MethodGet, URL: "/v1/users", Token: e.tokens["user1"],
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied), Cmp: cmpErr},
		{Name: "no-token", Method: http.MethodGet, URL: "/v1/users",
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
	}
	apitest.Run(t, e.h, cases)
}

func TestUsersBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	valid := map[string]any{
		"name": "Fay", "email": "fay@example.com", "roles": []string{"USER"},
		"password": "secret1", "passwordConfirm": "secret1",
	}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range valid {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	admin := e.tokens["admin"]
	user1URL := "/v1/users/" + e.user1.ID.String()

	cases := []apitest.Case{
		{Name: "malformed-json", Method: http.MethodPost, URL: "/v1/users", Token: admin, Body: `{"name": "x",`,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument), Cmp: cmpErr},
		{Name: "empty-body", Method: http.MethodPost, URL: "/v1/users", Token: admin, Body: ``,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument), Cmp: cmpErr},
		{Name: "wrong-type", Method: http.MethodPost, URL: "/v1/users", Token: admin, Body: with("name", 42),
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "name"), Cmp: cmpErr},
		{Name: "unknown-field", Method: http.MethodPost, URL: "/v1/users", Token: admin, Body: with("isAdmin", true),
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "isAdmin"), Cmp: cmpErr},
		{Name: "unknown-role", Method: http.MethodPost, URL: "/v1/users", Token: admin, Body: with("roles", []string{"BOSS"}),
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "roles"), Cmp: cmpErr},
		{Name: "short-password", Method: http.MethodPost, URL: "/v1/users", Token: admin,
			Body:       map[string]any{"name": "Fay", "email": "fay@example.com", "roles": []string{"USER"}, "password": "abc", "passwordConfirm": "abc"},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "password"), Cmp: cmpErr},
		{Name: "mismatched-confirm", Method: http.MethodPost, URL: "/v1/users", Token: admin, Body: with("passwordConfirm", "secret2"),
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "passwordConfirm"), Cmp: cmpErr},
		{Name: "invalid-email", Method: http.MethodPost, URL: "/v1/users", Token: admin, Body: with("email", "not-an-email"),
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "email"), Cmp: cmpErr},
		{Name: "every-field-missing", Method: http.MethodPost, URL: "/v1/users", Token: admin, Body: map[string]any{},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{},
			Exp: errBody(errs.InvalidArgument, "name", "email", "roles", "password", "passwordConfirm"), Cmp: cmpErr},
		{Name: "update-short-password", Method: http.MethodPut, URL: user1URL, Token: admin, Body: map[string]any{"password": "abc", "passwordConfirm": "abc"},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "password"), Cmp: cmpErr},
		{Name: "update-invalid-email", Method: http.MethodPut, URL: user1URL, Token: admin, Body: map[string]any{"email": "x@"},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "email"), Cmp: cmpErr},
		{Name: "update-empty-name", Method: http.MethodPut, URL: user1URL, Token: admin, Body: map[string]any{"name": "  "},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "name"), Cmp: cmpErr},
		{Name: "role-unknown", Method: http.MethodPut, URL: "/v1/users/role/" + e.user1.ID.String(), Token: admin, Body: map[string]any{"roles": []string{"ROOT"}},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "roles"), Cmp: cmpErr},
		{Name: "malformed-uuid-put", Method: http.MethodPut, URL: "/v1/users/1234", Token: admin, Body: map[string]any{"name": "X"},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "userID"), Cmp: cmpErr},
		{Name: "malformed-uuid-delete", Method: http.MethodDelete, URL: "/v1/users/1234", Token: admin,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "userID"), Cmp: cmpErr},
		{Name: "body-over-limit", Method: http.MethodPost, URL: "/v1/users", Token: admin,
			Body:       `{"name": "` + strings.Repeat("a", 2<<20) + `"}`,
			StatusCode: http.StatusRequestEntityTooLarge, Got: &errs.Error{}, Exp: errBody(errs.PayloadTooLarge), Cmp: cmpErr},
		{Name: "unknown-route", Method: http.MethodGet, URL: "/v1/nothing-here", Token: admin,
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		// A path that is not clean is no route's, not a redirect to one.
		{Name: "unclean-path", Method: http.MethodGet, URL: "/v1/../v1/users", Token: admin,
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		{Name: "empty-path-element", Method: http.MethodPost, URL: "/v1//users", Token: admin, Body: map[string]any{"name": "X"},
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		{Name: "wrong-method", Method: http.MethodPatch, URL: "/v1/users", Token: admin,
			StatusCode: http.StatusMethodNotAllowed, Got: &errs.Error{}, Exp: errBody(errs.MethodNotAllowed), Cmp: cmpErr},
		// No route reads the URL of a request no route takes: its query
		// is not checked, and the answer says there is no such route.
		{Name: "unknown-route-bad-query", Method: http.MethodGet, URL: "/v1/nothing-here?a=1&a=2&b=%zz", Token: admin,
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		{Name: "wrong-method-bad-query", Method: http.MethodPatch, URL: "/v1/users?a=1&a=2", Token: admin,
			StatusCode: http.StatusMethodNotAllowed, Got: &errs.Error{}, Exp: errBody(errs.MethodNotAllowed), Cmp: cmpErr},
	}
	apitest.Run(t, e.h, cases)

	// None of the rejected creates left a row behind.
	var n int
	if err := e.db.DB.Get(&n, `SELECT count(*) FROM users`); err != nil {
		t.Fatalf("count users: %v", err)
	}
	if n != 4 {
		t.Errorf("users in database: got %d, want 4", n)
	}
}

func ptr[T any](v T) *T { return &v }
