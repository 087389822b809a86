package tests

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/garagesale/service/app/domain/statsapp"
	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/business/types/date"
	"github.com/garagesale/service/business/types/role"
	"github.com/google/uuid"
)

// statsEnv is a test's API with sales taken on known days: some online,
// some recorded offline for walk-in buyers, written as the ingest writes
// them (no buyer, a device's client ID, the uploader).
type statsEnv struct {
	*env
	lamp, radio, sofa string // products of user1, user2 and admin
}

func newStatsEnv(t *testing.T) *statsEnv {
	t.Helper()
	e := newEnv(t)
	s := &statsEnv{
		env:   e,
		lamp:  e.createProduct(t, e.tokens["user1"], "Lamp", "12.5", 50).ID,
		radio: e.createProduct(t, e.tokens["user2"], "Radio", "0.1", 50).ID,
		sofa:  e.createProduct(t, e.tokens["admin"], "Sofa", "250", 50).ID,
	}
	u1, u2 := e.user1.ID.String(), e.user2.ID.String()
	for _, sale := range []struct {
		product, buyer, recordedBy string // buyer "" is a walk-in, recordedBy "" an online sale
		qty                        int
		cents                      int64
		takenAt                    string
	}{
		{s.lamp, "", u1, 1, 100, "2024-12-31T23:59:59Z"}, // the day before the range
		{s.lamp, u2, "", 2, 2500, "2025-03-01T09:00:00Z"},
		{s.lamp, "", u1, 1, 1250, "2025-03-01T23:59:59.999999Z"},
		{s.radio, u1, "", 1, 10, "2025-03-01T12:00:00Z"},
		{s.radio, "", u2, 3, 20, "2025-03-02T00:00:00Z"},
		{s.sofa, u1, "", 1, 25000, "2025-03-03T08:00:00Z"},
	} {
		const q = `
		INSERT INTO sales (sale_id, product_id, buyer_id, quantity, paid, date_created, taken_at, client_id, recorded_by)
		VALUES ($1::uuid, $2, NULLIF($3, '')::uuid, $4, $5, now(), $6,
			CASE WHEN $7 = '' THEN NULL ELSE 'phone:' || $1::text END, NULLIF($7, '')::uuid)`
		if _, err := e.db.DB.Exec(q, uuid.New(), sale.product, sale.buyer, sale.qty, sale.cents, sale.takenAt, sale.recordedBy); err != nil {
			t.Fatalf("insert sale: %v", err)
		}
	}
	return s
}

// dayStats is a row of the daily figures.
func dayStats(day string, seller uuid.UUID, sales int, units int64, revenue string) statsapp.DayStats {
	return statsapp.DayStats{Date: day, SellerID: seller.String(), Figures: statsapp.Figures{Sales: sales, Units: units, Revenue: json.Number(revenue)}}
}

// daily is an answer of GET /v1/stats/daily, its rows in the API's order:
// by day, then seller ID.
func daily(from, to string, days ...statsapp.DayStats) *statsapp.DailyStats {
	slices.SortFunc(days, func(a, b statsapp.DayStats) int {
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.SellerID, b.SellerID))
	})
	if days == nil {
		days = []statsapp.DayStats{}
	}
	return &statsapp.DailyStats{From: from, To: to, Days: days}
}

func TestStatsDaily(t *testing.T) {
	t.Parallel()
	s := newStatsEnv(t)
	u1, u2, adm := s.user1.ID, s.user2.ID, s.admin.ID

	// user1's lamp: two sales on March 1st, one of them offline at its
	// last instant; user2's radio: one on the 1st, one offline at the
	// first instant of the 2nd; the admin's sofa on the 3rd.
	u1Mar1 := dayStats("2025-03-01", u1, 2, 3, "37.5")
	u2Mar1 := dayStats("2025-03-01", u2, 1, 1, "0.1")
	u2Mar2 := dayStats("2025-03-02", u2, 1, 3, "0.2")
	admMar3 := dayStats("2025-03-03", adm, 1, 1, "250")
	const march = "/v1/stats/daily?from=2025-03-01&to=2025-03-03"

	ok := func(name, url, who string, want *statsapp.DailyStats) apitest.Case {
		return apitest.Case{Name: name, Method: http.MethodGet, URL: url, Token: s.tokens[who],
			StatusCode: http.StatusOK, Got: &statsapp.DailyStats{}, Exp: want}
	}
	bad := func(name, url, who string, status int, want *errs.Error) apitest.Case {
		return apitest.Case{Name: name, Method: http.MethodGet, URL: url, Token: s.tokens[who],
			StatusCode: status, Got: &errs.Error{}, Exp: want, Cmp: cmpErr}
	}
	apitest.Run(t, s.h, []apitest.Case{
		ok("admin/every-seller", march, "admin", daily("2025-03-01", "2025-03-03", u1Mar1, u2Mar1, u2Mar2, admMar3)),
		ok("admin/one-seller", march+"&sellerID="+u2.String(), "admin", daily("2025-03-01", "2025-03-03", u2Mar1, u2Mar2)),
		ok("admin/one-day", "/v1/stats/daily?from=2025-03-02&to=2025-03-02", "admin", daily("2025-03-02", "2025-03-02", u2Mar2)),
		ok("admin/the-day-before", "/v1/stats/daily?from=2024-12-31&to=2024-12-31", "admin",
			daily("2024-12-31", "2024-12-31", dayStats("2024-12-31", u1, 1, 1, "1"))),
		ok("admin/366-days", "/v1/stats/daily?from=2024-03-03&to=2025-03-03&sellerID="+adm.String(), "admin",
			daily("2024-03-03", "2025-03-03", admMar3)),
		ok("admin/no-sales", "/v1/stats/daily?from=2025-04-01&to=2025-04-30", "admin", daily("2025-04-01", "2025-04-30")),
		ok("user/own-sales-only", march, "user1", daily("2025-03-01", "2025-03-03", u1Mar1)),
		ok("user/other-user", march, "user2", daily("2025-03-01", "2025-03-03", u2Mar1, u2Mar2)),
		ok("user/naming-themselves", march+"&sellerID="+u1.String(), "user1", daily("2025-03-01", "2025-03-03", u1Mar1)),
		bad("user/naming-another", march+"&sellerID="+u2.String(), "user1", http.StatusForbidden, errBody(errs.PermissionDenied)),

		bad("bad/from-not-a-day", "/v1/stats/daily?from=2025-02-30&to=2025-03-03", "admin", http.StatusBadRequest, errBody(errs.InvalidArgument, "from")),
		bad("bad/to-a-time", "/v1/stats/daily?from=2025-03-01&to=2025-03-03T00:00:00Z", "admin", http.StatusBadRequest, errBody(errs.InvalidArgument, "to")),
		bad("bad/both", "/v1/stats/daily?from=3/1/2025&to=", "admin", http.StatusBadRequest, errBody(errs.InvalidArgument, "from")),
		bad("bad/from-after-to", "/v1/stats/daily?from=2025-03-04&to=2025-03-03", "admin", http.StatusBadRequest, errBody(errs.InvalidArgument, "from")),
		bad("bad/367-days", "/v1/stats/daily?from=2024-03-02&to=2025-03-03", "admin", http.StatusBadRequest, errBody(errs.InvalidArgument, "from")),
		bad("bad/from-long-before-today", "/v1/stats/daily?from=2020-01-01", "admin", http.StatusBadRequest, errBody(errs.InvalidArgument, "from")),
		bad("bad/sellerID", march+"&sellerID=lamp", "admin", http.StatusBadRequest, errBody(errs.InvalidArgument, "sellerID")),
		bad("bad/paging-is-no-parameter-here", march+"&page=2&orderBy=date", "admin", http.StatusBadRequest, errBody(errs.InvalidArgument, "page", "orderBy")),
		bad("bad/misspelt", "/v1/stats/daily?fromDate=2025-03-01", "admin", http.StatusBadRequest, errBody(errs.InvalidArgument, "fromDate")),
		bad("auth/no-token", march, "", http.StatusUnauthorized, errBody(errs.Unauthenticated)),
		bad("auth/disabled", march, "disabled", http.StatusUnauthorized, errBody(errs.Unauthenticated)),
	})
}

// TestStatsDailyDefaults: with no range given, the 30 UTC days up to
// today, an online sale made now among them on the day it was taken.
func TestStatsDailyDefaults(t *testing.T) {
	t.Parallel()
	s := newStatsEnv(t)
	resp := apitest.Do(t, s.h, http.MethodPost, "/v1/sales", s.tokens["user2"],
		map[string]any{"productID": s.sofa, "quantity": 2, "paid": json.Number("500")}, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("buy: status %d", resp.StatusCode)
	}
	var taken time.Time
	if err := s.db.DB.Get(&taken, `SELECT max(taken_at) FROM sales`); err != nil {
		t.Fatal(err)
	}
	today := date.Of(time.Now())
	if date.Of(taken).String() != today.String() {
		t.Skip("the sale was taken just before midnight UTC")
	}

	want := daily(today.AddDays(-29).String(), today.String(), dayStats(today.String(), s.admin.ID, 1, 2, "500"))
	apitest.Run(t, s.h, []apitest.Case{
		{Name: "range/last-30-days", Method: http.MethodGet, URL: "/v1/stats/daily", Token: s.tokens["admin"],
			StatusCode: http.StatusOK, Got: &statsapp.DailyStats{}, Exp: want},
		{Name: "range/to-today", Method: http.MethodGet, URL: "/v1/stats/daily?from=" + today.AddDays(-29).String(), Token: s.tokens["admin"],
			StatusCode: http.StatusOK, Got: &statsapp.DailyStats{}, Exp: want},
		{Name: "range/30-days-to", Method: http.MethodGet, URL: "/v1/stats/daily?to=2025-03-30", Token: s.tokens["admin"],
			StatusCode: http.StatusOK, Got: &statsapp.DailyStats{}, Exp: daily("2025-03-01", "2025-03-30",
				dayStats("2025-03-01", s.user1.ID, 2, 3, "37.5"), dayStats("2025-03-01", s.user2.ID, 1, 1, "0.1"),
				dayStats("2025-03-02", s.user2.ID, 1, 3, "0.2"), dayStats("2025-03-03", s.admin.ID, 1, 1, "250"))},
	})
}

func TestStatsLatest(t *testing.T) {
	t.Parallel()
	s := newStatsEnv(t)
	s.tokens["seller-of-nothing"] = s.token(t, s.createUser(t, "Eve Empty", "eve@example.com", role.User))

	// No online sale is made here, so the last of all is the admin's
	// sofa, alone on March 3rd.
	latest := func(at, day string, sales int, units int64, revenue string) *statsapp.LatestStats {
		return &statsapp.LatestStats{LastTakenAt: at, Date: day, Figures: statsapp.Figures{Sales: sales, Units: units, Revenue: json.Number(revenue)}}
	}
	ok := func(name, url, who string, want *statsapp.LatestStats) apitest.Case {
		return apitest.Case{Name: name, Method: http.MethodGet, URL: url, Token: s.tokens[who],
			StatusCode: http.StatusOK, Got: &statsapp.LatestStats{}, Exp: want}
	}
	bad := func(name, url, who string, status int, want *errs.Error) apitest.Case {
		return apitest.Case{Name: name, Method: http.MethodGet, URL: url, Token: s.tokens[who],
			StatusCode: status, Got: &errs.Error{}, Exp: want, Cmp: cmpErr}
	}
	apitest.Run(t, s.h, []apitest.Case{
		ok("admin/every-seller", "/v1/stats/latest", "admin", latest("2025-03-03T08:00:00.000000Z", "2025-03-03", 1, 1, "250")),
		ok("admin/one-seller", "/v1/stats/latest?sellerID="+s.user2.ID.String(), "admin", latest("2025-03-02T00:00:00.000000Z", "2025-03-02", 1, 3, "0.2")),
		// user1's last sale is the offline one at the end of March 1st:
		// the figures are of the whole of that day.
		ok("user/own", "/v1/stats/latest", "user1", latest("2025-03-01T23:59:59.999999Z", "2025-03-01", 2, 3, "37.5")),
		ok("user/no-sales", "/v1/stats/latest", "seller-of-nothing", latest("", "", 0, 0, "0")),
		bad("user/naming-another", "/v1/stats/latest?sellerID="+s.user2.ID.String(), "user1", http.StatusForbidden, errBody(errs.PermissionDenied)),
		bad("bad/sellerID", "/v1/stats/latest?sellerID=1", "admin", http.StatusBadRequest, errBody(errs.InvalidArgument, "sellerID")),
		bad("bad/a-range-is-no-parameter-here", "/v1/stats/latest?from=2025-03-01", "admin", http.StatusBadRequest, errBody(errs.InvalidArgument, "from")),
		bad("auth/no-token", "/v1/stats/latest", "", http.StatusUnauthorized, errBody(errs.Unauthenticated)),
	})
}
