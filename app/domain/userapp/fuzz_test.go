package userapp

import (
	"bytes"
	"testing"

	"github.com/garagesale/service/app/sdk/apitest"
)

// FuzzBodies decodes any body into every users request model and converts
// it: each is accepted or refused with a 400 fit to show, never a panic or
// a server error.
func FuzzBodies(f *testing.F) {
	apitest.FuzzBodies(f, []string{
		`{"name":"Ada","email":"ada@example.com","roles":["ADMIN"],"password":"secret12","passwordConfirm":"secret12"}`,
		`{"department":"toys\u0000"}`, "{\"name\":\"\xff\"}", `[]`, `"x"`, `{"roles":[1,2]}`, `{"enabled":"yes"}`,
		`{"password":"a","passwordConfirm":null,"currentPassword":7}`, `{} {}`, `{"name":"` + string(bytes.Repeat([]byte("a"), 300)) + `"}`,
	},
		apitest.Body(toBusNewUser),
		apitest.Body(toBusUpdateUser),
		apitest.Body(toBusUpdateUserRole),
		apitest.Body(toBusSignup),
	)
}
