package productapp

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/google/uuid"
)

// FuzzBodies decodes any body into every products request model and
// converts it: accepted, or refused with a 400 fit to show.
func FuzzBodies(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Lamp","cost":12.5,"quantity":3}`, `{"cost":"12"}`, `{"cost":1e400}`, `{"cost":-0.001}`,
		`{"quantity":2147483648}`, `{"quantity":-1}`, `{"name":null,"cost":null}`, "{\"name\":\"\xff\"}", `[1]`, `{"name":"a"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		decode := func(v any) error {
			return query.Body(httptest.NewRequest("POST", "/", bytes.NewReader(body)), v)
		}
		var np NewProduct
		if err := decode(&np); err != nil {
			apitest.CheckRefusal(t, err)
		} else {
			_, err := toBusNewProduct(np, uuid.New())
			apitest.CheckRefusal(t, err)
		}
		var up UpdateProduct
		if err := decode(&up); err != nil {
			apitest.CheckRefusal(t, err)
		} else {
			_, err := toBusUpdateProduct(up)
			apitest.CheckRefusal(t, err)
		}
	})
}
