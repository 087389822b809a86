package statsbus_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain/statsbus"
	"github.com/garagesale/service/business/domain/statsbus/stores/statsdb"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/garagesale/service/business/types/date"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

// The seeded users and products (business/sdk/migrate/seed): the admin
// sells comics and toys, the user vinyl and board games.
var (
	admin     = uuid.MustParse("5cf37266-3473-4006-984f-9325122678b7")
	user      = uuid.MustParse("45b5fbd3-755f-4379-8f07-a58d4a30fa2f")
	comics    = uuid.MustParse("a2b0639f-2cc6-44b8-b97b-15d69dbb511e")
	toys      = uuid.MustParse("72f8b983-3eb4-48db-9ed0-e45cc6bd716b")
	vinyl     = uuid.MustParse("98b6d4b8-f04b-4c79-8c2e-a0aef46854b7")
	games     = uuid.MustParse("0d5d9c5a-3b59-4f27-9b7e-5d5d3a4b8c61")
	nobody    = uuid.MustParse("00000000-0000-4000-8000-0000000000ff")
	seedSale1 = uuid.MustParse("c6a1d3a2-5f0e-4b8e-9a51-6a3f2b7d9e01") // comics ×2, 100, 2026-01-02 10:00
	seedSale2 = uuid.MustParse("1f4e8b7c-2d3a-4c5b-8e6f-7a9b0c1d2e02") // toys ×5, 3.75, 2026-01-02 11:30
	seedSale3 = uuid.MustParse("9b8a7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c03") // vinyl ×1, 12.5, 2026-01-03 09:15
)

// offline is a walk-in sale uploaded by its seller, inserted as the
// ingest writes one: no buyer, a device's client ID, the uploader.
type offline struct {
	id, product, seller uuid.UUID
	qty                 int
	paid                int64
	takenAt             string
}

// Sales recorded offline on top of the seed's: one at the last instant of
// 2026-01-02 and one at the first of 2026-01-04 (the days' edges), one at
// the very time of a seeded sale with an ID that sorts before it.
var offlines = []offline{
	{uuid.MustParse("e1000000-0000-4000-8000-000000000001"), games, user, 1, 999, "2026-01-02T23:59:59.999999Z"},
	{uuid.MustParse("e2000000-0000-4000-8000-000000000002"), vinyl, user, 3, 3000, "2026-01-04T00:00:00Z"},
	{uuid.MustParse("00000000-0000-4000-8000-000000000003"), toys, admin, 1, 75, "2026-01-02T10:00:00Z"},
}

func newBusiness(t *testing.T, maxRows int) *statsbus.Business {
	t.Helper()
	db := dbtest.New(t, t.Name()).DB
	if err := migrate.Seed(context.Background(), db); err != nil {
		t.Fatalf("seed: %v", err)
	}
	for i, o := range offlines {
		insertOffline(t, db, o, i)
	}
	return statsbus.NewBusiness(statsbus.Config{DB: db, Storer: statsdb.Store{}, MaxRows: maxRows})
}

func insertOffline(t *testing.T, db *sqlx.DB, o offline, n int) {
	t.Helper()
	const q = `
	INSERT INTO sales (sale_id, product_id, buyer_id, quantity, paid, date_created, taken_at, client_id, recorded_by)
	VALUES ($1, $2, NULL, $3, $4, '2026-01-05T12:00:00Z', $5, $6, $7)`
	if _, err := db.Exec(q, o.id, o.product, o.qty, o.paid, o.takenAt, "device-1:"+string(rune('a'+n)), o.seller); err != nil {
		t.Fatalf("insert offline sale: %v", err)
	}
}

func day(s string) date.Date {
	d, err := date.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func figures(sales int, units int64, cents int64) statsbus.Figures {
	rev, err := money.TotalOf(cents)
	if err != nil {
		panic(err)
	}
	return statsbus.Figures{Sales: sales, Units: units, Revenue: rev}
}

var cmpOpts = cmp.Options{cmp.AllowUnexported(date.Date{}, money.Total{}, money.Money{}, quantity.Quantity{})}

func TestDaily(t *testing.T) {
	t.Parallel()
	bus := newBusiness(t, 0)
	jan := func(from, to string) statsbus.Range {
		r, err := statsbus.NewRange(day(from), day(to))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// Each seller's sales on 2026-01-02: the user's one offline sale at
	// 23:59:59.999999; the admin's two seeded ones and the offline one.
	userJan2 := statsbus.Day{Date: day("2026-01-02"), SellerID: user, Figures: figures(1, 1, 999)}
	adminJan2 := statsbus.Day{Date: day("2026-01-02"), SellerID: admin, Figures: figures(3, 8, 10000+375+75)}
	userJan3 := statsbus.Day{Date: day("2026-01-03"), SellerID: user, Figures: figures(1, 1, 1250)}
	userJan4 := statsbus.Day{Date: day("2026-01-04"), SellerID: user, Figures: figures(1, 3, 3000)}

	tests := []struct {
		name   string
		filter statsbus.Filter
		want   []statsbus.Day
	}{
		{"every seller, by day then seller", statsbus.Filter{Range: jan("2026-01-01", "2026-01-31")}, []statsbus.Day{userJan2, adminJan2, userJan3, userJan4}},
		{"one seller", statsbus.Filter{Range: jan("2026-01-01", "2026-01-31"), SellerID: &user}, []statsbus.Day{userJan2, userJan3, userJan4}},
		{"both ends of the range are in it", statsbus.Filter{Range: jan("2026-01-03", "2026-01-04")}, []statsbus.Day{userJan3, userJan4}},
		{"one day", statsbus.Filter{Range: jan("2026-01-02", "2026-01-02"), SellerID: &admin}, []statsbus.Day{adminJan2}},
		{"no sales", statsbus.Filter{Range: jan("2026-01-05", "2026-12-31")}, []statsbus.Day{}},
		{"a seller without sales", statsbus.Filter{Range: jan("2026-01-01", "2026-01-31"), SellerID: &nobody}, []statsbus.Day{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bus.Daily(context.Background(), tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDailyRefusesTooManyRows: an answer over the cap is an error, never
// a part of the answer.
func TestDailyRefusesTooManyRows(t *testing.T) {
	t.Parallel()
	bus := newBusiness(t, 3)
	r, err := statsbus.NewRange(day("2026-01-01"), day("2026-01-31"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bus.Daily(context.Background(), statsbus.Filter{Range: r}); !errors.Is(err, statsbus.ErrTooManyRows) {
		t.Errorf("four rows under a cap of three: error %v, want ErrTooManyRows", err)
	}
	if days, err := bus.Daily(context.Background(), statsbus.Filter{Range: r, SellerID: &user}); err != nil || len(days) != 3 {
		t.Errorf("three rows under a cap of three: %d rows, error %v", len(days), err)
	}
}

func TestLatest(t *testing.T) {
	t.Parallel()
	bus := newBusiness(t, 0)
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name   string
		seller *uuid.UUID
		want   statsbus.Latest
	}{
		{"every seller: the offline sale at midnight, alone on its day", nil,
			statsbus.Latest{LastTakenAt: at("2026-01-04T00:00:00Z"), Date: day("2026-01-04"), Figures: figures(1, 3, 3000)}},
		{"one seller: the whole of their last day", &admin,
			statsbus.Latest{LastTakenAt: at("2026-01-02T11:30:00Z"), Date: day("2026-01-02"), Figures: figures(3, 8, 10450)}},
		{"a seller without sales", &nobody, statsbus.Latest{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bus.Latest(context.Background(), tt.seller)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got.Any() != (tt.want != statsbus.Latest{}) {
				t.Errorf("Any() = %v", got.Any())
			}
		})
	}
}

func TestNewRange(t *testing.T) {
	tests := []struct {
		from, to string
		wantErr  error
	}{
		{"2026-01-02", "2026-01-02", nil},
		{"2028-01-01", "2028-12-31", nil}, // 366 days
		{"2026-01-01", "2027-01-01", nil}, // 366 days
		{"2026-01-01", "2027-01-02", statsbus.ErrRangeTooLong},
		{"2026-01-02", "2026-01-01", statsbus.ErrRangeInverted},
	}
	for _, tt := range tests {
		_, err := statsbus.NewRange(day(tt.from), day(tt.to))
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
			t.Errorf("NewRange(%s, %s): error %v, want %v", tt.from, tt.to, err, tt.wantErr)
		}
	}
}

// TestEachSaleOfDay: a day's sales, and only they, by taken_at then ID,
// as the public record shows them.
func TestEachSaleOfDay(t *testing.T) {
	t.Parallel()
	bus := newBusiness(t, 0)
	ctx := context.Background()
	sale := func(id, product, seller uuid.UUID, at string, qty int, cents int64, off bool) statsbus.PublicSale {
		ts, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			t.Fatal(err)
		}
		paid, err := money.FromCents(cents)
		if err != nil {
			t.Fatal(err)
		}
		return statsbus.PublicSale{ID: id, TakenAt: ts, ProductID: product, SellerID: seller, Quantity: dbtest.Must(quantity.Parse(qty)), Paid: paid, Offline: off}
	}

	tests := []struct {
		day  string
		want []statsbus.PublicSale
	}{
		{"2026-01-02", []statsbus.PublicSale{
			sale(offlines[2].id, toys, admin, "2026-01-02T10:00:00Z", 1, 75, true),
			sale(seedSale1, comics, admin, "2026-01-02T10:00:00Z", 2, 10000, false),
			sale(seedSale2, toys, admin, "2026-01-02T11:30:00Z", 5, 375, false),
			sale(offlines[0].id, games, user, "2026-01-02T23:59:59.999999Z", 1, 999, true),
		}},
		{"2026-01-03", []statsbus.PublicSale{sale(seedSale3, vinyl, user, "2026-01-03T09:15:00Z", 1, 1250, false)}},
		{"2026-01-04", []statsbus.PublicSale{sale(offlines[1].id, vinyl, user, "2026-01-04T00:00:00Z", 3, 3000, true)}},
		{"2026-01-05", nil},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			var got []statsbus.PublicSale
			if err := bus.EachSaleOfDay(ctx, day(tt.day), func(s statsbus.PublicSale) error {
				got = append(got, s)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			n, err := bus.CountDay(ctx, day(tt.day))
			if err != nil || n != len(tt.want) {
				t.Errorf("CountDay = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}

	t.Run("an error of fn stops it and comes back as it is", func(t *testing.T) {
		errFull := errors.New("disk full")
		calls := 0
		err := bus.EachSaleOfDay(ctx, day("2026-01-02"), func(statsbus.PublicSale) error {
			calls++
			return errFull
		})
		if err != errFull || calls != 1 {
			t.Errorf("error %v after %d calls, want %v after 1", err, calls, errFull)
		}
	})
}
