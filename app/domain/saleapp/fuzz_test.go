package saleapp

import (
	"testing"

	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/google/uuid"
)

// FuzzBodies decodes any body into the sales request models (a purchase,
// a line of an upload) and converts it: accepted, or refused with a 400
// fit to show.
func FuzzBodies(f *testing.F) {
	apitest.FuzzBodies(f, []string{
		`{"productID":"6f9619ff-8b86-d011-b42d-00c04fc964ff","quantity":1,"paid":12.5}`,
		`{"productID":"x","quantity":0,"paid":"1"}`, `{"paid":0.1e1}`, `{"paid":99999999999999999999.99}`,
		`{"quantity":9223372036854775808}`, `"buy"`, `{"productID":"\u0000"}`,
		`{"id":"t1-0001","productID":"6f9619ff-8b86-d011-b42d-00c04fc964ff","quantity":1,"paid":2.5,"takenAt":"2026-11-29T10:15:00Z"}`,
		`{"id":"","takenAt":"2026-13-40T99:00:00Z","buyerID":"nope"}`, `{"id":"\u00ff\ud800"}`,
	},
		apitest.Body(func(ns NewSale) (salebus.NewSale, error) { return toBusNewSale(ns, uuid.New()) }),
		// A line of an upload of offline sales.
		apitest.Body(toBusOfflineSale),
	)
}
