package statsapp

import (
	"fmt"
	"net/http"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/app/sdk/route"
	"github.com/garagesale/service/business/domain/statsbus"
)

// Config holds what the stats routes need.
type Config struct {
	StatsBus *statsbus.Business
}

// Routes adds the stats routes. Any user may call them; a USER's figures
// are always of their own sales as seller, an ADMIN's of every seller.
func Routes(t *route.Table, cfg Config) {
	t = t.Group("stats", "Sales figures by the UTC day the sales were taken on, sales recorded offline included. "+
		"A USER sees the figures of their own sales as seller; an ADMIN sees every seller's.")
	h := &handlers{statsBus: cfg.StatsBus}

	t.Add(route.Def{Method: http.MethodGet, Path: "/v1/stats/daily", Handler: h.daily, Rule: auth.RuleAny,
		Summary: "Figures per day and seller",
		Description: fmt.Sprintf("For each UTC day from `from` to `to` (both included, at most %d days; by default the %d days up to today) "+
			"and each seller with sales that day: how many sales, the units sold and the revenue. Days without sales are left out. "+
			"Rows come by day, then seller ID. A USER gets their own rows only; asking for another seller is a 403.",
			statsbus.MaxDays, defaultDays),
		Query: query.Params(h.parseDaily, dailyDocs), Response: DailyStats{}, Errors: []int{http.StatusForbidden}})
	t.Add(route.Def{Method: http.MethodGet, Path: "/v1/stats/latest", Handler: h.latest, Rule: auth.RuleAny,
		Summary: "The latest figures",
		Description: "When the last sale was taken, and the figures of the UTC day it was taken on, all sellers together " +
			"(an ADMIN's, unless sellerID names one) or the caller's own (a USER's). With no sales, only zero figures.",
		Query: query.Params(h.parseLatest, latestDocs), Response: LatestStats{}, Errors: []int{http.StatusForbidden}})
}
