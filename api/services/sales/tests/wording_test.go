package tests

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/google/go-cmp/cmp"
)

// TestErrorsSayWhatToDo: each refusal a new user meets first says what
// was wrong and what to do, in plain JSON (no HTML escapes), with field
// messages in one wording: "is required", "must ...".
func TestErrorsSayWhatToDo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	basic := func(user, pass string) http.Header {
		return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))}}
	}

	for _, tt := range []struct {
		name, method, url, token string
		header                   http.Header
		body                     any
		status                   int
		want                     errs.Error
	}{
		{name: "no token", method: http.MethodGet, url: "/v1/products", status: http.StatusUnauthorized,
			want: errs.Error{Code: errs.Unauthenticated, Message: "this route needs a token: send Authorization: Bearer <token>; GET /v1/users/token with your email and password as HTTP Basic auth gives one"}},
		{name: "basic auth where a token is due", method: http.MethodGet, url: "/v1/products", header: basic(passwd, passwd), status: http.StatusUnauthorized,
			want: errs.Error{Code: errs.Unauthenticated, Message: "this route takes a bearer token, not that Authorization scheme: send Authorization: Bearer <token>; GET /v1/users/token with your email and password as HTTP Basic auth gives one"}},
		{name: "token route without credentials", method: http.MethodGet, url: "/v1/users/token", status: http.StatusUnauthorized,
			want: errs.Error{Code: errs.Unauthenticated, Message: "send the email and password with HTTP Basic auth: curl --user EMAIL:PASSWORD"}},
		{name: "USER on an ADMIN route", method: http.MethodGet, url: "/v1/users", token: e.tokens["user1"], status: http.StatusForbidden,
			want: errs.Error{Code: errs.PermissionDenied, Message: "this needs the ADMIN role; you have the roles USER"}},
		{name: "USER on another user", method: http.MethodGet, url: "/v1/users/" + e.user2.ID.String(), token: e.tokens["user1"], status: http.StatusForbidden,
			want: errs.Error{Code: errs.PermissionDenied, Message: "this needs the ADMIN role, or to be the user it names; you have the roles USER"}},
		{name: "validation wording", method: http.MethodPost, url: "/v1/users", token: e.tokens["admin"], status: http.StatusBadRequest,
			body: map[string]any{"email": "x@example.com", "roles": []string{"USER"}, "department": strings.Repeat("d", 101), "password": "secret12", "passwordConfirm": "secret13"},
			want: errs.Error{Code: errs.InvalidArgument, Message: "data validation error", Fields: errs.FieldErrors{
				"name":            "is required",
				"department":      "must be at most 100 characters",
				"passwordConfirm": "must match password",
			}}},
		{name: "wrong JSON type", method: http.MethodPost, url: "/v1/products", token: e.tokens["user1"], status: http.StatusBadRequest,
			body: map[string]any{"name": "Lamp", "cost": 1, "quantity": []int{1}},
			want: errs.Error{Code: errs.InvalidArgument, Message: "data validation error", Fields: errs.FieldErrors{
				"quantity": "must be a JSON integer, not an array",
			}}},
		{name: "every wrong JSON type", method: http.MethodPost, url: "/v1/products", token: e.tokens["user1"], status: http.StatusBadRequest,
			body: map[string]any{"name": 7, "cost": 1, "quantity": []int{1}},
			want: errs.Error{Code: errs.InvalidArgument, Message: "data validation error", Fields: errs.FieldErrors{
				"name":     "must be a JSON string, not a number",
				"quantity": "must be a JSON integer, not an array",
			}}},
		{name: "path ID named as in JSON", method: http.MethodGet, url: "/v1/products/nope", token: e.tokens["user1"], status: http.StatusBadRequest,
			want: errs.Error{Code: errs.InvalidArgument, Message: "data validation error", Fields: errs.FieldErrors{"productID": "must be a UUID"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := send(t, e.h, tt.method, tt.url, tt.token, tt.body, tt.header)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			if strings.Contains(a.body, `\u003c`) || strings.Contains(a.body, `\u0026`) {
				t.Errorf("the body escapes HTML: %s", a.body)
			}
			var got errs.Error
			decodeJSON(t, a.body, &got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}

func decodeJSON(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}
