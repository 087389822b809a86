package statsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/statsbus"
	"github.com/google/uuid"
)

// Figures are what a set of sales adds up to, as the API shows them.
// Revenue is in currency units with at most two decimals, written from
// integer cents: never a float.
type Figures struct {
	Sales   int         `json:"sales" openapi:"minimum=0" doc:"how many sales"`
	Units   int64       `json:"units" openapi:"minimum=0" doc:"the quantity sold in all"`
	Revenue json.Number `json:"revenue" openapi:"minimum=0" doc:"what was paid in all, in currency units, at most 2 decimals"`
}

// DayStats is one seller's figures on one UTC day.
type DayStats struct {
	Date     string `json:"date" openapi:"format=date"`
	SellerID string `json:"sellerID" openapi:"format=uuid"`
	Figures
}

// DailyStats is the answer of GET /v1/stats/daily: the days it covers and
// each seller's figures on each of those days with sales.
type DailyStats struct {
	From string     `json:"from" openapi:"format=date" doc:"the first day covered"`
	To   string     `json:"to" openapi:"format=date" doc:"the last day covered"`
	Days []DayStats `json:"days"`
}

// LatestStats is the answer of GET /v1/stats/latest. With no sales, it
// has zero figures and neither lastTakenAt nor date.
type LatestStats struct {
	LastTakenAt string `json:"lastTakenAt,omitempty" openapi:"format=date-time" doc:"when the last sale was taken"`
	Date        string `json:"date,omitempty" openapi:"format=date" doc:"the UTC day of the last sale, which the figures are of"`
	Figures
}

func toAppFigures(bus statsbus.Figures) Figures {
	return Figures{Sales: bus.Sales, Units: bus.Units, Revenue: json.Number(bus.Revenue.Decimal())}
}

func toAppDaily(rng statsbus.Range, days []statsbus.Day) DailyStats {
	out := DailyStats{From: rng.From.String(), To: rng.To.String(), Days: make([]DayStats, len(days))}
	for i, d := range days {
		out.Days[i] = DayStats{Date: d.Date.String(), SellerID: d.SellerID.String(), Figures: toAppFigures(d.Figures)}
	}
	return out
}

func toAppLatest(bus statsbus.Latest) LatestStats {
	out := LatestStats{Figures: toAppFigures(bus.Figures)}
	if bus.Any() {
		out.LastTakenAt = query.FormatTime(bus.LastTakenAt)
		out.Date = bus.Date.String()
	}
	return out
}

// defaultDays is the length of the range when from is not given.
const defaultDays = 30

var dailyDocs = map[string]string{
	"from":     fmt.Sprintf("the first day (default: %d days before to)", defaultDays-1),
	"to":       "the last day (default: today, in UTC)",
	"sellerID": "only this seller's figures (an ADMIN's filter; a USER may name only themselves)",
}

var latestDocs = map[string]string{
	"sellerID": dailyDocs["sellerID"],
}

// parseDaily reads ?from= &to= &sellerID=: the days to report and whose
// sales.
func (h *handlers) parseDaily(ctx context.Context, r *http.Request) (statsbus.Filter, error) {
	f := query.NewParams(r)
	from, to := f.Date("from"), f.Date("to")
	seller := f.UUID("sellerID")
	if err := f.Err(); err != nil {
		return statsbus.Filter{}, err
	}

	last := h.statsBus.Today()
	if to != nil {
		last = *to
	}
	first := last.AddDays(-(defaultDays - 1))
	if from != nil {
		first = *from
	}
	rng, err := statsbus.NewRange(first, last)
	switch {
	case errors.Is(err, statsbus.ErrRangeInverted):
		return statsbus.Filter{}, errs.NewFields(errs.FieldErrors{"from": fmt.Sprintf("must not be after to (%s)", last)})
	case errors.Is(err, statsbus.ErrRangeTooLong):
		return statsbus.Filter{}, errs.NewFields(errs.FieldErrors{"from": fmt.Sprintf(
			"must be at most %d days before to (%s): a range holds at most %d days", statsbus.MaxDays-1, last, statsbus.MaxDays)})
	case err != nil:
		return statsbus.Filter{}, err
	}

	seller, err = visibleSeller(ctx, seller)
	if err != nil {
		return statsbus.Filter{}, err
	}
	return statsbus.Filter{Range: rng, SellerID: seller}, nil
}

// parseLatest reads ?sellerID=: whose sales.
func (h *handlers) parseLatest(ctx context.Context, r *http.Request) (*uuid.UUID, error) {
	f := query.NewParams(r)
	seller := f.UUID("sellerID")
	if err := f.Err(); err != nil {
		return nil, err
	}
	return visibleSeller(ctx, seller)
}

// visibleSeller is the seller whose figures the caller gets: the one they
// name, or every one (nil), for an ADMIN; always themselves for a USER,
// who may name no other. The narrowing is in the query itself, so no
// figure of another seller is ever added up for a USER.
func visibleSeller(ctx context.Context, named *uuid.UUID) (*uuid.UUID, error) {
	claims, _ := mid.GetClaims(ctx)
	if claims.HasRole(auth.RoleAdmin) {
		return named, nil
	}
	viewer := mid.ActorID(ctx)
	if named != nil && *named != viewer {
		return nil, errs.Newf(errs.PermissionDenied, "a USER sees the figures of their own sales only")
	}
	return &viewer, nil
}
