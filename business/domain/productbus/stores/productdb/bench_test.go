package productdb

import (
	"testing"

	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/types/money"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// BenchmarkQueryBuilding measures what a products list does before it
// reaches Postgres: the filter's conditions, the order and the page (by
// number and by cursor) made into SQL, and its named values bound to
// positional ones as sqlx does on every query. The filter has no name: a
// search is paged by another statement (sqldb.QueryPage's walk), built
// from the same parts.
func BenchmarkQueryBuilding(b *testing.B) {
	costMin, owner := dbtest.Must(money.Parse("1.50")), uuid.New()
	filter := productbus.QueryFilter{CostMin: &costMin, UserID: &owner}
	by := order.NewBy(productbus.OrderByName, order.ASC)
	numbered, err := page.Parse("3", "20")
	if err != nil {
		b.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		pg   page.Page
	}{
		{"page", numbered},
		{"cursor", numbered.After(page.Cursor{Key: "lamp 7", ID: uuid.NewString()})},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				q, data, err := selectProducts(filter, by).Statement(tt.pg)
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := sqlx.BindNamed(sqlx.DOLLAR, q, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
