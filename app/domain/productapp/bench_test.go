package productapp

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/uuid"
)

// fixedPage is a Lister that answers every query with the same full page,
// so a benchmark of the route's own work leaves Postgres out.
type fixedPage page.Of[productbus.Product]

func (f fixedPage) Query(context.Context, productbus.QueryFilter, order.By, page.Page) (page.Of[productbus.Product], error) {
	return page.Of[productbus.Product](f), nil
}

func benchPage(n int) fixedPage {
	when := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	items := make([]productbus.Product, n)
	for i := range items {
		items[i] = productbus.Product{
			ID: uuid.New(), UserID: uuid.New(), Name: dbtest.Must(name.Parse(fmt.Sprintf("Lamp %d", i))),
			Cost: dbtest.Must(money.Parse("12.50")), Quantity: dbtest.Must(quantity.Parse(i)), DateCreated: when, DateUpdated: when,
		}
	}
	return fixedPage{Items: items, Total: 1_001, Next: &page.Cursor{Key: items[n-1].Name.String(), ID: items[n-1].ID.String()}}
}

// BenchmarkListRoute measures a products list's own work around its
// queries: paging, filter, order and cursor read from the URL, the page
// converted to its JSON models, the next cursor made, and the body
// encoded.
func BenchmarkListRoute(b *testing.B) {
	lister := benchPage(20)
	spec := query.ListSpec[productbus.QueryFilter, productbus.Product, Product]{
		Filter: parseFilter, Order: orderByFields, DefaultOrder: productbus.DefaultOrderBy, ToApp: query.Map(ToAppProduct),
	}
	const list = "/v1/products?rows=20&orderBy=name,ASC&name=lamp&costMin=1.50"
	// The cursor a first page of the list gives: the page after it.
	first := httptest.NewRequest("GET", list, nil)
	res, err := query.List(first.Context(), first, lister, spec)
	if err != nil {
		b.Fatal(err)
	}
	cursor := res.Next

	for _, tt := range []struct{ name, url string }{
		{"page", list + "&page=3"},
		{"cursor", list + "&cursor=" + cursor},
	} {
		b.Run(tt.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", tt.url, nil)
			b.ReportAllocs()
			for b.Loop() {
				res, err := query.List(r.Context(), r, lister, spec)
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := web.Encode(res); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncodePage measures the JSON of a page of products alone, by
// its size.
func BenchmarkEncodePage(b *testing.B) {
	for _, n := range []int{20, 100} {
		lister := benchPage(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res := query.NewResult(query.Map(ToAppProduct)(lister.Items), 1_001, dbtest.Must(page.Parse("1", fmt.Sprint(n))))
				if _, _, err := web.Encode(res); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
