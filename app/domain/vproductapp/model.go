package vproductapp

import (
	"encoding/json"
	"time"

	"github.com/garagesale/service/business/domain/vproductbus"
)

// Product is a product with its owner's name as the API shows it. Cost is
// a json.Number so the amount is written as exact decimal text.
type Product struct {
	ID          string      `json:"id"`
	UserID      string      `json:"userID"`
	Name        string      `json:"name"`
	Cost        json.Number `json:"cost"`
	Quantity    int         `json:"quantity"`
	DateCreated string      `json:"dateCreated"`
	DateUpdated string      `json:"dateUpdated"`
	UserName    string      `json:"userName"`
}

func toAppProduct(bus vproductbus.Product) Product {
	return Product{
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

func toAppProducts(bus []vproductbus.Product) []Product {
	out := make([]Product, len(bus))
	for i, p := range bus {
		out[i] = toAppProduct(p)
	}
	return out
}
