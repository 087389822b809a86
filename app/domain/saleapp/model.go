package saleapp

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/app/sdk/valid"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/uuid"
)

// Sale is a sale as the API shows it. Paid is written from integer cents,
// never a float. takenAt is when it was made, dateCreated when it reached
// the API: an uploaded sale (POST /v1/sales/ingest) was made offline.
type Sale struct {
	ID          string      `json:"id" openapi:"format=uuid"`
	ProductID   string      `json:"productID" openapi:"format=uuid"`
	BuyerID     string      `json:"buyerID,omitempty" openapi:"format=uuid" doc:"the buyer's account; none for a walk-in buyer"`
	Quantity    int         `json:"quantity" openapi:"minimum=1"`
	Paid        json.Number `json:"paid"`
	DateCreated string      `json:"dateCreated" openapi:"format=date-time"`
	TakenAt     string      `json:"takenAt" openapi:"format=date-time"`
	ClientID    string      `json:"clientID,omitempty" doc:"the id a sale uploaded from a seller's device was given there"`
}

func toAppSale(bus salebus.Sale) Sale {
	s := Sale{
		ID:          bus.ID.String(),
		ProductID:   bus.ProductID.String(),
		Quantity:    bus.Quantity.Value(),
		Paid:        json.Number(bus.Paid.Decimal()),
		DateCreated: query.FormatTime(bus.DateCreated),
		TakenAt:     query.FormatTime(bus.TakenAt),
		ClientID:    bus.ClientID,
	}
	if !bus.WalkIn() {
		s.BuyerID = bus.BuyerID.String()
	}
	return s
}

// NewSale is the body of POST /v1/sales; the buyer is the caller. Paid is
// kept raw so its exact digits are parsed, never through a float, and a
// malformed amount is reported against "paid" with every other bad field.
type NewSale struct {
	ProductID string     `json:"productID" validate:"required" openapi:"format=uuid"`
	Quantity  *int       `json:"quantity" validate:"required" openapi:"minimum=1,maximum=1000000"`
	Paid      money.Sent `json:"paid" validate:"required" openapi:"type=number,minimum=0,maximum=1000000000" doc:"what the buyer pays in all, in currency units, at most 2 decimals"`
}

// parsePurchase checks what every sale names, a purchase or an uploaded
// line, adding each bad field to fe, which holds the fields its validate
// tags refused already (a field missing is "is required", not a value's
// error).
func parsePurchase(fe errs.FieldErrors, productID string, qty *int, paid money.Sent) (uuid.UUID, quantity.Quantity, money.Money) {
	id, err := query.ParseUUID(productID)
	fe.Add("productID", err)
	var q quantity.Quantity
	if qty != nil {
		q, err = quantity.ParsePositive(*qty)
		fe.Add("quantity", err)
	}
	m, err := money.ParseJSON(paid)
	fe.Add("paid", err)
	return id, q, m
}

func toBusNewSale(app NewSale, buyerID uuid.UUID) (salebus.NewSale, error) {
	fe := valid.Fields(app)
	productID, q, paid := parsePurchase(fe, app.ProductID, app.Quantity, app.Paid)
	if err := fe.ToError(); err != nil {
		return salebus.NewSale{}, err
	}
	return salebus.NewSale{
		ProductID: productID,
		BuyerID:   buyerID,
		Quantity:  q,
		Paid:      paid,
	}, nil
}

// parseFilter reads the sales filter parameters. A USER's is narrowed to
// the sales they bought or sold, so totals count only what they may see.
func parseFilter(ctx context.Context, r *http.Request) (salebus.QueryFilter, error) {
	f := query.NewFilter(r)

	filter := salebus.QueryFilter{
		ID:        f.UUID("id"),
		ProductID: f.UUID("productID"),
		BuyerID:   f.UUID("buyerID"),
		StartDate: f.Time("dateCreatedFrom"),
		EndDate:   f.Time("dateCreatedBefore"),
	}

	if err := f.Err(); err != nil {
		return salebus.QueryFilter{}, err
	}
	if viewer, admin := caller(ctx); !admin {
		filter.VisibleTo = &viewer
	}
	return filter, nil
}

// listSpec reads and documents the list route's request.
var listSpec = query.ListSpec[salebus.QueryFilter, salebus.Sale, Sale]{
	Filter:       parseFilter,
	Order:        orderByFields,
	DefaultOrder: salebus.DefaultOrderBy,
	ToApp:        query.Map(toAppSale),
}

// orderByFields maps the JSON names a client orders by to the business's.
var orderByFields = map[string]string{
	"id":          salebus.OrderByID,
	"productID":   salebus.OrderByProductID,
	"buyerID":     salebus.OrderByBuyerID,
	"quantity":    salebus.OrderByQuantity,
	"paid":        salebus.OrderByPaid,
	"dateCreated": salebus.OrderByDateCreated,
}
