// Package saleapp is the HTTP layer of sales: the /v1/sales routes.
package saleapp

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/idempotency"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

type handlers struct {
	saleBus   *salebus.Business
	keys      *idempotency.Store
	ingestCfg IngestConfig
	uploads   *uploads
}

// create buys for the caller: the buyer is always who is asking. The sale
// and, with an Idempotency-Key, its answer commit in one transaction.
func (h *handlers) create(ctx context.Context, r *http.Request) (any, error) {
	var req NewSale
	if err := web.Decode(r, &req); err != nil {
		return nil, err
	}
	buyer := mid.ActorID(ctx)
	ns, err := toBusNewSale(req, buyer)
	if err != nil {
		return nil, err
	}

	sale, err := h.saleBus.Prepare(ns)
	if err != nil {
		return nil, busError(err)
	}
	// The answer is known before the sale is written, so a key's record
	// is written before the product's row is locked.
	return h.keys.DoKnown(ctx, r, buyer, req, web.Created(toAppSale(sale)), func(tx *sqlx.Tx) error {
		if err := h.saleBus.Create(ctx, tx, buyer, sale); err != nil {
			return busError(err)
		}
		return nil
	})
}

func (h *handlers) delete(ctx context.Context, r *http.Request) (any, error) {
	id, err := query.PathID(r, "saleID")
	if err != nil {
		return nil, err
	}
	actor, admin := caller(ctx)
	if err := h.saleBus.Delete(ctx, actor, admin, id); err != nil {
		return nil, busError(err)
	}
	return web.NoContent, nil
}

func (h *handlers) query(ctx context.Context, r *http.Request) (any, error) {
	return query.List(ctx, r, h.saleBus, listSpec)
}

// queryByID answers a USER who neither bought nor sold an existing sale
// with 403, as any other denial; a sale that does not exist is 404 for all.
func (h *handlers) queryByID(ctx context.Context, r *http.Request) (any, error) {
	id, err := query.PathID(r, "saleID")
	if err != nil {
		return nil, err
	}
	sale, err := h.saleBus.QueryByID(ctx, id)
	if err != nil {
		return nil, busError(err)
	}

	if viewer, admin := caller(ctx); !admin {
		ok, err := h.saleBus.IsVisibleTo(ctx, sale, viewer)
		if err != nil {
			return nil, busError(err)
		}
		if !ok {
			return nil, errs.Newf(errs.PermissionDenied, "only an admin, the buyer or the seller may see sale %s", id)
		}
	}
	return toAppSale(sale), nil
}

// caller returns the authenticated user's ID and whether they are an ADMIN.
func caller(ctx context.Context) (uuid.UUID, bool) {
	claims, _ := mid.GetClaims(ctx)
	return mid.ActorID(ctx), claims.HasRole(auth.RoleAdmin)
}

// busError maps the sale domain's errors to API errors. A product that
// does not exist, or is the buyer's own, is a bad productID in the body
// (400), not a missing resource at the URL.
func busError(err error) error {
	var underpaid *salebus.UnderpaidError
	var tooDear *salebus.TooDearError
	switch {
	case errors.Is(err, salebus.ErrNotFound):
		return errs.New(errs.NotFound, salebus.ErrNotFound)
	case errors.Is(err, salebus.ErrInsufficientStock):
		return &errs.Error{Code: errs.Aborted, Message: salebus.ErrInsufficientStock.Error(), Cause: err}
	case errors.Is(err, salebus.ErrStockLimit):
		return &errs.Error{Code: errs.Aborted, Message: salebus.ErrStockLimit.Error(), Cause: err}
	case errors.Is(err, salebus.ErrProductNotFound):
		return fieldError("productID", salebus.ErrProductNotFound, err)
	case errors.Is(err, salebus.ErrOwnProduct):
		return fieldError("productID", salebus.ErrOwnProduct, err)
	case errors.Is(err, salebus.ErrZeroQuantity):
		return fieldError("quantity", salebus.ErrZeroQuantity, err)
	case errors.As(err, &underpaid):
		return fieldError("paid", underpaid, err)
	case errors.As(err, &tooDear):
		return fieldError("quantity", tooDear, err)
	case errors.Is(err, salebus.ErrPurchaseLimit):
		return &errs.Error{Code: errs.TooManyRequests, Cause: err, RetryAfter: time.Minute,
			Message: "you have made as many purchases in the last hour as a buyer may: wait before buying again"}
	case errors.Is(err, salebus.ErrNotSeller):
		return &errs.Error{Code: errs.PermissionDenied, Message: salebus.ErrNotSeller.Error(), Cause: err}
	}
	return errs.New(errs.Internal, err)
}

func fieldError(field string, sentinel, cause error) error {
	e := errs.NewFields(errs.FieldErrors{field: sentinel.Error()})
	e.Cause = cause
	return e
}
