package vproductapp

import (
	"encoding/json"
	"time"

	"github.com/garagesale/service/business/domain/vproductbus"
)

// VProduct is a product with its owner's name as the API shows it. Cost is
// a json.Number so the amount is written as exact decimal text.
type VProduct struct {
	ID          string      `json:"id" openapi:"format=uuid"`
	UserID      string      `json:"userID" openapi:"format=uuid"`
	Name        string      `json:"name"`
	Cost        json.Number `json:"cost"`
	Quantity    int         `json:"quantity" openapi:"minimum=0"`
	DateCreated string      `json:"dateCreated" openapi:"format=date-time"`
	DateUpdated string      `json:"dateUpdated" openapi:"format=date-time"`
	UserName    string      `json:"userName"`
}

func toAppProduct(bus vproductbus.Product) VProduct {
	return VProduct{
		ID:          bus.ID.String(),
		UserID:      bus.UserID.String(),
		Name:        bus.Name.String(),
		Cost:        json.Number(bus.Cost.Decimal()),
		Quantity:    bus.Quantity.Value(),
		DateCreated: bus.DateCreated.Format(time.RFC3339),
		DateUpdated: bus.DateUpdated.Format(time.RFC3339),
		UserName:    bus.UserName.String(),
	}
}

func toAppProducts(bus []vproductbus.Product) []VProduct {
	out := make([]VProduct, len(bus))
	for i, p := range bus {
		out[i] = toAppProduct(p)
	}
	return out
}
