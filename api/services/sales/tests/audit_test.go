package tests

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/garagesale/service/app/domain/auditapp"
	"github.com/garagesale/service/app/domain/userapp"
	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/google/go-cmp/cmp"
)

// auditSummary is what a test checks of an audit record.
type auditSummary struct {
	ObjDomain string
	ObjName   string
	ActorID   string
	Action    string
}

func summarize(items []auditapp.Audit) []auditSummary {
	out := make([]auditSummary, len(items))
	for i, a := range items {
		out[i] = auditSummary{ObjDomain: a.ObjDomain, ObjName: a.ObjName, ActorID: a.ActorID, Action: a.Action}
	}
	return out
}

func TestAuditUserMutations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.tokens["admin"]
	adminID := e.admin.ID.String()

	newUser := userapp.NewUser{
		Name: "Gus", Email: "gus@example.com", Roles: []string{"USER"},
		Password: "secret1", PasswordConfirm: "secret1",
	}

	// Failed mutations first: none may leave an audit record.
	apitest.Run(t, e.h, []apitest.Case{
		{Name: "bad-create", Method: http.MethodPost, URL: "/v1/users", Token: admin, Body: map[string]any{"name": "x"},
			StatusCode: http.StatusBadRequest},
		{Name: "duplicate-create", Method: http.MethodPost, URL: "/v1/users", Token: admin,
			Body:       userapp.NewUser{Name: "Bob Again", Email: "bob@example.com", Roles: []string{"USER"}, Password: "secret1", PasswordConfirm: "secret1"},
			StatusCode: http.StatusConflict},
		{Name: "forbidden-update", Method: http.MethodPut, URL: "/v1/users/" + e.user1.ID.String(), Token: e.tokens["user2"],
			Body: map[string]any{"name": "Nope"}, StatusCode: http.StatusForbidden},
	})

	var created userapp.User
	apitest.Run(t, e.h, []apitest.Case{
		{Name: "create", Method: http.MethodPost, URL: "/v1/users", Token: admin, Body: newUser,
			StatusCode: http.StatusCreated, Got: &created, Exp: &userapp.User{Name: "Gus", Email: "gus@example.com", Roles: []string{"USER"}, Enabled: true}, Cmp: cmpNewUser},
	})
	apitest.Run(t, e.h, []apitest.Case{
		{Name: "update", Method: http.MethodPut, URL: "/v1/users/" + created.ID, Token: admin,
			Body: map[string]any{"password": "secret2", "passwordConfirm": "secret2"}, StatusCode: http.StatusOK},
		{Name: "delete", Method: http.MethodDelete, URL: "/v1/users/" + created.ID, Token: admin, StatusCode: http.StatusNoContent},
	})

	type result = query.Result[auditapp.Audit]
	var got result
	apitest.Run(t, e.h, []apitest.Case{
		{Name: "list", Method: http.MethodGet, URL: "/v1/audits?objID=" + created.ID + "&orderBy=timestamp,ASC", Token: admin,
			StatusCode: http.StatusOK, Got: &got, Exp: &got},
	})

	want := []auditSummary{
		{ObjDomain: "user", ObjName: "Gus", ActorID: adminID, Action: "created"},
		{ObjDomain: "user", ObjName: "Gus", ActorID: adminID, Action: "updated"},
		{ObjDomain: "user", ObjName: "Gus", ActorID: adminID, Action: "deleted"},
	}
	if diff := cmp.Diff(want, summarize(got.Items)); diff != "" {
		t.Errorf("audit records (-want +got):\n%s", diff)
	}

	// Audit data keeps what changed, never a secret.
	for _, a := range got.Items {
		if strings.Contains(string(a.Data), "$2a$") || strings.Contains(strings.ToLower(string(a.Data)), "hash") {
			t.Errorf("audit %s data carries a password hash: %s", a.Action, a.Data)
		}
	}
	var updated map[string]any
	if err := json.Unmarshal(got.Items[1].Data, &updated); err != nil {
		t.Fatalf("decode update data: %v", err)
	}
	if diff := cmp.Diff(true, updated["passwordChanged"]); diff != "" {
		t.Errorf("passwordChanged (-want +got):\n%s", diff)
	}

	// Only the three successful mutations were recorded, plus the setup's
	// creations and the one disable.
	var n int
	if err := e.db.DB.Get(&n, `SELECT count(*) FROM audits WHERE actor_id = $1`, e.admin.ID); err != nil {
		t.Fatalf("count audits: %v", err)
	}
	if n != 3 {
		t.Errorf("audits by admin: got %d, want 3", n)
	}
}

func TestAuditRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	type result = query.Result[auditapp.Audit]
	cases := []apitest.Case{
		{Name: "admin/filter-by-action", Method: http.MethodGet, URL: "/v1/audits?objDomain=user&action=updated", Token: e.tokens["admin"],
			StatusCode: http.StatusOK, Got: &result{},
			Exp: &result{Items: []auditapp.Audit{{ObjDomain: "user", ObjName: "Dan Disabled", ActorID: "00000000-0000-0000-0000-000000000000", Action: "updated", Message: "updated user"}}, Total: 1, Page: 1, RowsPerPage: 10},
			Cmp: func(got, exp any) string {
				return cmp.Diff(exp, got, cmp.Transformer("blank", func(a auditapp.Audit) auditapp.Audit {
					a.ID, a.ObjID, a.Timestamp, a.Data = "", "", "", nil
					return a
				}))
			}},
		{Name: "admin/paging", Method: http.MethodGet, URL: "/v1/audits?rows=2&page=3&orderBy=timestamp", Token: e.tokens["admin"],
			StatusCode: http.StatusOK, Got: &result{}, Exp: &result{Items: []auditapp.Audit{{}}, Total: 5, Page: 3, RowsPerPage: 2},
			Cmp: func(got, exp any) string {
				g := *got.(*result)
				g.Items = make([]auditapp.Audit, len(g.Items))
				return cmp.Diff(*exp.(*result), g)
			}},
		{Name: "admin/bad-actor-id", Method: http.MethodGet, URL: "/v1/audits?actorID=zzz", Token: e.tokens["admin"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "actorID"), Cmp: cmpErr},
		// A misspelt action would match nothing and answer an empty list.
		{Name: "admin/unknown-action", Method: http.MethodGet, URL: "/v1/audits?action=update", Token: e.tokens["admin"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "action"), Cmp: cmpErr},
		{Name: "admin/bad-order", Method: http.MethodGet, URL: "/v1/audits?orderBy=data", Token: e.tokens["admin"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "orderBy"), Cmp: cmpErr},
		{Name: "user/forbidden", Method: http.MethodGet, URL: "/v1/audits", Token: e.tokens["user1"],
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied), Cmp: cmpErr},
		{Name: "no-token", Method: http.MethodGet, URL: "/v1/audits",
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
	}
	apitest.Run(t, e.h, cases)
}
