package query_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/sdk/order"
)

// FuzzListParams reads any query string as a list's paging, order and
// filters: every value is taken or refused with a 400 naming it.
func FuzzListParams(f *testing.F) {
	for _, seed := range []string{
		"page=1&rows=10&orderBy=name,DESC", "page=0", "rows=101", "page=99999999999999999999",
		"orderBy=name,SIDEWAYS", "orderBy=,", "orderBy=password", "n=2147483648", "n=-1",
		"cost=1e2", "cost=12.345", "at=2026-13-01T00:00:00Z", "day=2026-02-30", "id=nope", "on=maybe", "%zz", "a=%00",
	} {
		f.Add(seed)
	}
	whitelist := map[string]string{"name": "name", "dateCreated": "date_created"}
	def := order.NewBy("name", order.ASC)
	f.Fuzz(func(t *testing.T, raw string) {
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/", RawQuery: raw}}
		_, err := query.Page(r)
		apitest.CheckRefusal(t, err)
		_, err = query.OrderBy(r, whitelist, def)
		apitest.CheckRefusal(t, err)

		fl := query.NewFilter(r)
		fl.String("s")
		fl.UUID("id")
		fl.Bool("on")
		fl.Int("n", 0, 1_000_000)
		fl.Money("cost")
		fl.Time("at")
		fl.Date("day")
		apitest.CheckRefusal(t, fl.Err())
	})
}
