package tests

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/garagesale/service/app/domain/productapp"
	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/google/go-cmp/cmp"
)

type productPage = query.Result[productapp.Product]

// list GETs one page of products.
func (s *saleEnv) list(t *testing.T, u string) productPage {
	t.Helper()
	a := send(t, s.h, http.MethodGet, u, s.tokens["user1"], nil, nil)
	var pg productPage
	if err := json.Unmarshal([]byte(a.body), &pg); a.status != http.StatusOK || err != nil {
		t.Fatalf("GET %s: %d %s", u, a.status, a.body)
	}
	return pg
}

// TestKeysetPaging walks a list by cursor, in every order and direction,
// and gets every product exactly once, in the order numbered pages give.
func TestKeysetPaging(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	for i := range 23 {
		// Few names and quantities, many ties: the tiebreak must hold.
		s.newProduct(t, s.user1, "Lot "+strconv.Itoa(i%4), 1+i%3)
	}

	for _, orderBy := range []string{"id,ASC", "name,ASC", "name,DESC", "quantity,DESC", "dateCreated,ASC", "cost,DESC"} {
		t.Run(orderBy, func(t *testing.T) {
			want := s.list(t, "/v1/products?rows=100&orderBy="+orderBy).Items
			if len(want) != 23 {
				t.Fatalf("want 23 products, have %d", len(want))
			}
			var got []productapp.Product
			u := "/v1/products?rows=5&orderBy=" + orderBy
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatal("the cursor does not end")
				}
				pg := s.list(t, u)
				got = append(got, pg.Items...)
				if pg.Next == "" {
					break
				}
				u = "/v1/products?rows=5&orderBy=" + orderBy + "&cursor=" + url.QueryEscape(pg.Next)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("walked by cursor (-numbered pages +cursor):\n%s", diff)
			}
		})
	}

	// A cursor belongs to its list: the same route, order and filters.
	first := s.list(t, "/v1/products?rows=5&orderBy=name")
	forged := func(key string) string {
		raw, _ := base64.RawURLEncoding.DecodeString(first.Next)
		var c map[string]string
		_ = json.Unmarshal(raw, &c)
		c["k"] = key
		b, _ := json.Marshal(c)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	bad := func(n, u string) apitest.Case {
		return apitest.Case{Name: n, Method: http.MethodGet, URL: u, Token: s.tokens["admin"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "cursor"), Cmp: cmpErr}
	}
	apitest.Run(t, s.h, []apitest.Case{
		bad("another order", "/v1/products?rows=5&orderBy=quantity&cursor="+first.Next),
		bad("another filter", "/v1/products?rows=5&orderBy=name&name=Lot&cursor="+first.Next),
		bad("another list", "/v1/vproducts?rows=5&orderBy=name&cursor="+first.Next),
		bad("not a cursor", "/v1/products?rows=5&orderBy=name&cursor=%7B%7D"),
		bad("a forged key", "/v1/products?rows=5&orderBy=dateCreated&cursor="+url.QueryEscape(forged("not a time"))),
		{Name: "a cursor and a later page's number", Method: http.MethodGet, URL: "/v1/products?rows=5&orderBy=name&page=2&cursor=" + first.Next, Token: s.tokens["admin"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "page"), Cmp: cmpErr},
	})
	// page=1, the default, may come with a cursor: it reads the page after.
	second := s.list(t, "/v1/products?rows=5&orderBy=name&page=1&cursor="+first.Next)
	if len(second.Items) == 0 || second.Page != 0 {
		t.Errorf("page=1 with a cursor: %d items, page %d; want the page after the cursor (page 0)", len(second.Items), second.Page)
	}
	// A filter sent empty is not sent, for its cursor too (it was a 400):
	// a form's blank fields come along on every page.
	for _, u := range []string{
		"/v1/products?rows=5&orderBy=name&name=&cursor=" + first.Next,
		"/v1/products?rows=5&orderBy=name&cursor=" + s.list(t, "/v1/products?rows=5&orderBy=name&name=").Next,
	} {
		if diff := cmp.Diff(second, s.list(t, u)); diff != "" {
			t.Errorf("GET %s (-the page after without the empty filters +got):\n%s", u, diff)
		}
	}
}

// TestCountIsCapped: past page.CountCap the total stops counting and says
// so, and pages are still served.
func TestCountIsCapped(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	if _, err := s.db.DB.Exec(`INSERT INTO products (product_id, user_id, name, cost, quantity, stock_added, date_created, date_updated)
		SELECT gen_random_uuid(), $1, 'Bulk ' || g, 100, 1, 1, now(), now() FROM generate_series(1, $2) g`, s.user1.ID, page.CountCap+50); err != nil {
		t.Fatal(err)
	}
	pg := s.list(t, "/v1/products?rows=3")
	if pg.Total != page.CountCap || !pg.TotalCapped || len(pg.Items) != 3 || pg.Next == "" {
		t.Errorf("a big list: total %d, capped %v, %d items, next %q; want %d, capped, 3 and a cursor", pg.Total, pg.TotalCapped, len(pg.Items), pg.Next, page.CountCap)
	}
	small := s.list(t, "/v1/products?rows=3&name=Bulk%201049")
	if small.Total != 1 || small.TotalCapped {
		t.Errorf("a small filtered list: total %d, capped %v; want exactly 1", small.Total, small.TotalCapped)
	}
}
