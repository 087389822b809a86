package statsapp

import (
	"encoding/json"
	"time"

	"github.com/garagesale/service/business/domain/statsbus"
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
		out.LastTakenAt = bus.LastTakenAt.Format(time.RFC3339)
		out.Date = bus.Date.String()
	}
	return out
}
