// Package productapp is the HTTP layer of products: the /v1/products
// routes.
package productapp

import (
	"context"
	"errors"
	"net/http"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/idempotency"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

type handlers struct {
	productBus *productbus.Business
	auth       *auth.Auth
	keys       *idempotency.Store
}

// create puts a product up for the caller. The product and, with an
// Idempotency-Key, its answer commit in one transaction.
func (a *handlers) create(ctx context.Context, r *http.Request) (any, error) {
	var req NewProduct
	if err := web.Decode(r, &req); err != nil {
		return nil, err
	}
	owner := mid.ActorID(ctx)
	np, err := toBusNewProduct(req, owner)
	if err != nil {
		return nil, err
	}

	return a.keys.Do(ctx, r, owner, req, func(tx *sqlx.Tx) (any, error) {
		prd, err := a.productBus.Create(ctx, tx, owner, np)
		if err != nil {
			return nil, busError(err)
		}
		return web.Created(ToAppProduct(prd)), nil
	})
}

func (a *handlers) update(ctx context.Context, r *http.Request) (any, error) {
	id, err := query.PathID(r, "productID")
	if err != nil {
		return nil, err
	}
	// The owner is checked before the body so a caller who may not touch
	// the product learns nothing from validation errors.
	if err := a.authorizeOwner(ctx, id); err != nil {
		return nil, err
	}
	var req UpdateProduct
	if err := web.Decode(r, &req); err != nil {
		return nil, err
	}
	up, err := toBusUpdateProduct(req)
	if err != nil {
		return nil, err
	}

	prd, err := a.productBus.Update(ctx, mid.ActorID(ctx), id, up)
	if err != nil {
		return nil, busError(err)
	}
	return ToAppProduct(prd), nil
}

func (a *handlers) delete(ctx context.Context, r *http.Request) (any, error) {
	id, err := query.PathID(r, "productID")
	if err != nil {
		return nil, err
	}
	if err := a.authorizeOwner(ctx, id); err != nil {
		return nil, err
	}
	if err := a.productBus.Delete(ctx, mid.ActorID(ctx), id); err != nil {
		return nil, busError(err)
	}
	return web.NoContent, nil
}

func (a *handlers) query(ctx context.Context, r *http.Request) (any, error) {
	return query.List(ctx, r, a.productBus, listSpec)
}

func (a *handlers) queryByID(ctx context.Context, r *http.Request) (any, error) {
	id, err := query.PathID(r, "productID")
	if err != nil {
		return nil, err
	}
	prd, err := a.productBus.QueryByID(ctx, id)
	if err != nil {
		return nil, busError(err)
	}
	return ToAppProduct(prd), nil
}

// authorizeOwner admits an ADMIN or the owner of the product with id. A
// missing product is a 404 for every caller, checked first: any user may
// list products, so their existence is no secret. The owner never changes,
// so the check stays true for the change that follows.
func (a *handlers) authorizeOwner(ctx context.Context, id uuid.UUID) error {
	prd, err := a.productBus.QueryByID(ctx, id)
	if err != nil {
		return busError(err)
	}
	claims, _ := mid.GetClaims(ctx)
	if err := a.auth.Authorize(ctx, claims, prd.UserID, auth.RuleAdminOrSubject); err != nil {
		return &errs.Error{Code: errs.PermissionDenied, Message: "only the product's owner or an ADMIN may change it", Cause: err}
	}
	return nil
}

// busError maps the product domain's errors to API errors.
func busError(err error) error {
	switch {
	case errors.Is(err, productbus.ErrNotFound):
		return errs.New(errs.NotFound, productbus.ErrNotFound)
	case errors.Is(err, productbus.ErrHasSales):
		return errs.New(errs.Aborted, productbus.ErrHasSales)
	case errors.Is(err, productbus.ErrReferenced):
		return errs.New(errs.Aborted, productbus.ErrReferenced)
	case errors.Is(err, productbus.ErrUserDisabled):
		return errs.New(errs.PermissionDenied, productbus.ErrUserDisabled)
	}
	return errs.New(errs.Internal, err)
}
