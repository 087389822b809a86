package saleapp

import (
	"testing"

	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/google/uuid"
)

// FuzzBodies decodes any body into the sales request model and converts
// it: accepted, or refused with a 400 fit to show.
func FuzzBodies(f *testing.F) {
	apitest.FuzzBodies(f, []string{
		`{"productID":"6f9619ff-8b86-d011-b42d-00c04fc964ff","quantity":1,"paid":12.5}`,
		`{"productID":"x","quantity":0,"paid":"1"}`, `{"paid":0.1e1}`, `{"paid":99999999999999999999.99}`,
		`{"quantity":9223372036854775808}`, `"buy"`, `{"productID":"\u0000"}`,
	},
		apitest.Body(func(ns NewSale) (salebus.NewSale, error) { return toBusNewSale(ns, uuid.New()) }),
	)
}
