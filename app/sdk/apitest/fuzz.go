package apitest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/garagesale/service/foundation/web"
)

// BodyCheck checks what one request model makes of a fuzzed body: see
// Body.
type BodyCheck func(t *testing.T, body []byte)

// Body checks the request model Req as its route reads it: decoded as a
// handler decodes it, then turned into the business's value by toBus.
// Either refusal must be fit to show a client (CheckRefusal).
func Body[Req, Bus any](toBus func(Req) (Bus, error)) BodyCheck {
	return func(t *testing.T, body []byte) {
		t.Helper()
		var req Req
		if err := web.Decode(httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)), &req); err != nil {
			CheckRefusal(t, err)
			return
		}
		_, err := toBus(req)
		CheckRefusal(t, err)
	}
}

// FuzzBodies fuzzes request bodies, from seeds, through every check: each
// request model accepts a body or refuses it with a 400 fit to show, never
// a panic or a server error.
func FuzzBodies(f *testing.F, seeds []string, checks ...BodyCheck) {
	for _, seed := range seeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, check := range checks {
			check(t, body)
		}
	})
}
