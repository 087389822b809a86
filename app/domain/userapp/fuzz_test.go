package userapp

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/query"
)

// FuzzBodies decodes any body into every users request model and converts
// it: each is accepted or refused with a 400 fit to show, never a panic or
// a server error. Crashers land in testdata/fuzz and replay in go test.
func FuzzBodies(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Ada","email":"ada@example.com","roles":["ADMIN"],"password":"secret12","passwordConfirm":"secret12"}`,
		`{"department":"toys\u0000"}`, "{\"name\":\"\xff\"}", `[]`, `"x"`, `{"roles":[1,2]}`, `{"enabled":"yes"}`,
		`{"password":"a","passwordConfirm":null,"currentPassword":7}`, `{} {}`, `{"name":"` + string(bytes.Repeat([]byte("a"), 300)) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		decode := func(v any) error {
			return query.Body(httptest.NewRequest("POST", "/", bytes.NewReader(body)), v)
		}
		var nu NewUser
		if err := decode(&nu); err != nil {
			apitest.CheckRefusal(t, err)
		} else {
			_, err := toBusNewUser(nu)
			apitest.CheckRefusal(t, err)
		}
		var uu UpdateUser
		if err := decode(&uu); err != nil {
			apitest.CheckRefusal(t, err)
		} else {
			_, err := toBusUpdateUser(uu)
			apitest.CheckRefusal(t, err)
		}
		var ur UpdateUserRole
		if err := decode(&ur); err != nil {
			apitest.CheckRefusal(t, err)
		} else {
			_, err := toBusUpdateUserRole(ur)
			apitest.CheckRefusal(t, err)
		}
		var su Signup
		if err := decode(&su); err != nil {
			apitest.CheckRefusal(t, err)
		} else {
			_, err := toBusSignup(su)
			apitest.CheckRefusal(t, err)
		}
	})
}
