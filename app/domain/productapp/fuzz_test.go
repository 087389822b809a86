package productapp

import (
	"testing"

	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/google/uuid"
)

// FuzzBodies decodes any body into every products request model and
// converts it: accepted, or refused with a 400 fit to show.
func FuzzBodies(f *testing.F) {
	apitest.FuzzBodies(f, []string{
		`{"name":"Lamp","cost":12.5,"quantity":3}`, `{"cost":"12"}`, `{"cost":1e400}`, `{"cost":-0.001}`,
		`{"quantity":2147483648}`, `{"quantity":-1}`, `{"name":null,"cost":null}`, "{\"name\":\"\xff\"}", `[1]`, `{"name":"a"}}`,
	},
		apitest.Body(func(np NewProduct) (productbus.NewProduct, error) { return toBusNewProduct(np, uuid.New()) }),
		apitest.Body(toBusUpdateProduct),
	)
}
