// Package statsapp is the API's side of sales statistics: GET
// /v1/stats/daily and /v1/stats/latest, and the public record of a day's
// sales that `sales-admin dump` writes.
package statsapp

import (
	"context"
	"errors"
	"net/http"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/business/domain/statsbus"
)

type handlers struct {
	statsBus *statsbus.Business
}

func (h *handlers) daily(ctx context.Context, r *http.Request) (any, error) {
	filter, err := h.parseDaily(ctx, r)
	if err != nil {
		return nil, err
	}
	days, err := h.statsBus.Daily(ctx, filter)
	if err != nil {
		return nil, busError(err)
	}
	return toAppDaily(filter.Range, days), nil
}

func (h *handlers) latest(ctx context.Context, r *http.Request) (any, error) {
	seller, err := h.parseLatest(ctx, r)
	if err != nil {
		return nil, err
	}
	l, err := h.statsBus.Latest(ctx, seller)
	if err != nil {
		return nil, busError(err)
	}
	return toAppLatest(l), nil
}

// busError maps the stats domain's errors to API errors. Too many rows is
// the range's fault: a narrower one, or one seller, answers.
func busError(err error) error {
	if errors.Is(err, statsbus.ErrTooManyRows) {
		e := errs.NewFields(errs.FieldErrors{"from": "the range has too many rows for one answer (a row per day and seller with sales): narrow it, or name a sellerID"})
		e.Cause = err
		return e
	}
	return errs.Of(err)
}
