package salebus_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// offline is an offline sale of the fixture's product, taken just now.
func (f fixture) offline(id string, n int, buyer uuid.UUID) salebus.OfflineSale {
	return salebus.OfflineSale{
		ClientID: id, ProductID: f.product.ID, BuyerID: buyer,
		Quantity: dbtest.Must(quantity.Parse(n)), Paid: dbtest.Must(money.Parse("2.50")),
		TakenAt: time.Now().UTC().Truncate(time.Second),
	}
}

// statuses are the results' statuses and reasons, for comparing.
func statuses(rs []salebus.IngestResult) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Status
		if r.Reason != "" {
			out[i] += ": " + r.Reason
		}
	}
	return out
}

func TestIngest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	sales := f.newSales(f.store)

	other := putUp(t, f.db, f.products, f.buyer, "Not yours", 3)
	audits := f.count(t, `SELECT count(*) FROM audits`)
	notYours := f.offline("c-not-yours", 1, uuid.Nil)
	notYours.ProductID = other.ID
	unknown := f.offline("c-unknown", 1, uuid.Nil)
	unknown.ProductID = uuid.New()
	future := f.offline("c-future", 1, uuid.Nil)
	future.TakenAt = time.Now().Add(48 * time.Hour)
	// Days past the window are published already; and no sale of a
	// product precedes it.
	old := f.offline("c-old", 1, uuid.Nil)
	old.TakenAt = time.Now().Add(-31 * 24 * time.Hour)
	early := f.offline("c-early", 1, uuid.Nil)
	early.TakenAt = f.product.DateCreated.Add(-2 * time.Hour)

	lines := []salebus.OfflineSale{
		f.offline("c-1", 2, uuid.Nil),         // a walk-in buyer
		f.offline("c-2", 1, f.buyer),          // a buyer with an account
		f.offline("c-1", 2, uuid.Nil),         // the same line twice in one upload
		f.offline("c-3", 3, uuid.Nil),         // 2 left: oversold
		f.offline("c-4", 1, f.seller),         // buying from oneself
		f.offline("c-5", 1, uuid.New()),       // an unknown buyer
		notYours, unknown, future, old, early, // refused whatever the stock
		f.offline("c-6", 2, uuid.Nil), // the last 2
		f.offline("c-7", 1, uuid.Nil), // none left
		f.offline("c-2", 2, f.buyer),  // c-2's id for another sale
	}
	want := []string{
		salebus.Created, salebus.Created, salebus.Duplicate,
		"rejected: oversold: 3 wanted, 2 left",
		"rejected: the buyer is the seller: a user cannot buy their own product",
		"rejected: no such buyer: leave buyerID out for a walk-in buyer",
		"rejected: not your product: only a product's owner records its offline sales",
		"rejected: no such product",
		fmt.Sprintf("rejected: takenAt %s is in the future", future.TakenAt.UTC().Format(time.RFC3339Nano)),
		fmt.Sprintf("rejected: takenAt %s is more than 30 days back: upload sales within 30 days", old.TakenAt.UTC().Format(time.RFC3339Nano)),
		fmt.Sprintf("rejected: takenAt %s is before the product was put up (%s)", early.TakenAt.UTC().Format(time.RFC3339Nano), f.product.DateCreated.UTC().Format(time.RFC3339Nano)),
		salebus.Created,
		"rejected: oversold: 1 wanted, 0 left",
		"rejected: id \"c-2\" was uploaded before with other values (sale " + "%s): give each sale an id of its own",
	}

	got, err := sales.Ingest(ctx, f.seller, lines)
	if err != nil {
		t.Fatal(err)
	}
	want[len(want)-1] = fmt.Sprintf(want[len(want)-1], got[1].SaleID)
	if diff := cmp.Diff(want, statuses(got)); diff != "" {
		t.Fatalf("results (-want +got):\n%s", diff)
	}
	if got[2].SaleID != got[0].SaleID {
		t.Errorf("the repeated line names sale %s, not the first's %s", got[2].SaleID, got[0].SaleID)
	}
	// 3 sales, each audited, and one stock change of the product audited.
	after := state{Stock: 0, Sales: 3, Audits: audits + 4}
	f.checkState(t, after, "after the upload")
	dbtest.CheckInvariants(t, f.db, salebus.Invariants)

	walkIn, err := sales.QueryByID(ctx, got[0].SaleID)
	if err != nil {
		t.Fatal(err)
	}
	wantSale := salebus.Sale{
		ID: got[0].SaleID, ProductID: f.product.ID, Quantity: dbtest.Must(quantity.Parse(2)), Paid: dbtest.Must(money.Parse("2.50")),
		DateCreated: walkIn.DateCreated, TakenAt: lines[0].TakenAt, ClientID: "c-1", RecordedBy: f.seller,
	}
	if diff := cmp.Diff(wantSale, walkIn, cmp.AllowUnexported(money.Money{}, quantity.Quantity{})); diff != "" {
		t.Errorf("walk-in sale (-want +got):\n%s", diff)
	}
	if !walkIn.WalkIn() {
		t.Error("a sale without a buyer is not a walk-in")
	}

	t.Run("the same upload again changes nothing", func(t *testing.T) {
		again, err := sales.Ingest(ctx, f.seller, lines)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range again {
			if got[i].Status == salebus.Created && (r.Status != salebus.Duplicate || r.SaleID != got[i].SaleID) {
				t.Errorf("line %d: first %+v, again %+v", i+1, got[i], r)
			}
		}
		f.checkState(t, after, "after the second upload")
	})
}

// TestIngestConcurrentUploads sends one upload several times at once (a
// device retrying over a bad network): each line is recorded once, and
// every upload says so.
func TestIngestConcurrentUploads(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	sales := f.newSales(f.store)
	lines := []salebus.OfflineSale{f.offline("a", 1, uuid.Nil), f.offline("b", 2, uuid.Nil)}

	const uploads = 6
	results := make([][]salebus.IngestResult, uploads)
	errs := make([]error, uploads)
	var wg sync.WaitGroup
	for i := range uploads {
		wg.Go(func() { results[i], errs[i] = sales.Ingest(context.Background(), f.seller, lines) })
	}
	wg.Wait()

	created := map[uuid.UUID]bool{}
	for i := range uploads {
		if errs[i] != nil {
			t.Fatalf("upload %d: %v", i, errs[i])
		}
		for _, r := range results[i] {
			if r.Status != salebus.Created && r.Status != salebus.Duplicate {
				t.Errorf("upload %d: %+v", i, r)
			}
			created[r.SaleID] = true
		}
	}
	if len(created) != len(lines) {
		t.Errorf("the uploads name %d sales, want %d", len(created), len(lines))
	}
	f.checkState(t, state{Stock: f.initialStock - 3, Sales: 2, Audits: f.auditsAfterTheProduct + 3}, "after the uploads")
	dbtest.CheckInvariants(t, f.db, salebus.Invariants)
}
