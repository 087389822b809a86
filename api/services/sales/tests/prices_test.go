package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/app/domain/productapp"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// TestPrices: an online purchase pays at least the price times the
// quantity, or the seller's lower floor; a refused one takes no stock.
func TestPrices(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	seller, buyer := s.tokens["user1"], "user2"
	prd := s.createProduct(t, seller, "Lamp", "12.5", 10)
	id := uuid.MustParse(prd.ID)

	type try struct {
		name  string
		qty   int
		paid  string
		want  int
		field string // the error's field text, when refused
	}
	run := func(tries []try) {
		t.Helper()
		for _, tr := range tries {
			before := s.stock(t, id)
			status, body, _ := s.post(t, "/v1/sales", buyer, newSaleBody(id, tr.qty, tr.paid), "")
			if status != tr.want || !strings.Contains(string(body), tr.field) {
				t.Errorf("%s: %d %s, want %d naming %q", tr.name, status, body, tr.want, tr.field)
			}
			if status != http.StatusCreated && s.stock(t, id) != before {
				t.Errorf("%s: refused, yet the stock went from %d to %d", tr.name, before, s.stock(t, id))
			}
		}
	}
	run([]try{
		{"nothing", 2, "0", http.StatusBadRequest, `"paid":"must be at least 2 × 12.5, the product's price"`},
		{"a cent short", 2, "24.99", http.StatusBadRequest, `"paid"`},
		{"the price", 2, "25", http.StatusCreated, ""},
		{"more than the price", 1, "20", http.StatusCreated, ""},
	})

	// The seller puts a floor under the price: a sale.
	var got productapp.Product
	s.doProduct(t, http.MethodPut, "/v1/products/"+prd.ID, seller, map[string]any{"minPrice": 5}, http.StatusOK, &got)
	if got.MinPrice == nil || *got.MinPrice != "5" {
		t.Fatalf("minPrice after the change: %v, want 5", got.MinPrice)
	}
	run([]try{
		{"under the floor", 1, "4.99", http.StatusBadRequest, `"paid":"must be at least 1 × 5, the product's price"`},
		{"the floor", 1, "5", http.StatusCreated, ""},
	})

	// A floor is an amount like the cost.
	a := send(t, s.h, http.MethodPut, "/v1/products/"+prd.ID, seller, map[string]any{"minPrice": -1}, nil)
	if a.status != http.StatusBadRequest || !strings.Contains(a.body, `"minPrice"`) {
		t.Errorf("a negative minPrice: %d %s, want 400 naming minPrice", a.status, a.body)
	}

	// A floor at or above the price is no sale: it is not kept, so the
	// cost ends a sale, and a later rise of the cost brings none back.
	for _, floor := range []string{"20", "12.5"} {
		got = productapp.Product{} // an answer without minPrice leaves the field alone
		s.doProduct(t, http.MethodPut, "/v1/products/"+prd.ID, seller, map[string]any{"minPrice": json.Number(floor)}, http.StatusOK, &got)
		if got.MinPrice != nil {
			t.Errorf("minPrice %s, at or above the cost, kept as %v", floor, *got.MinPrice)
		}
		run([]try{{"a cent short of the price, the sale ended by " + floor, 1, "12.49", http.StatusBadRequest, `"paid"`}})
	}
	s.doProduct(t, http.MethodPut, "/v1/products/"+prd.ID, seller, map[string]any{"cost": 30}, http.StatusOK, &got)
	run([]try{{"under the new cost", 1, "20", http.StatusBadRequest, `"paid":"must be at least 1 × 30, the product's price"`}})

	// A sale price a lower cost passes is kept, and counts again when the
	// cost rises past it.
	s.doProduct(t, http.MethodPut, "/v1/products/"+prd.ID, seller, map[string]any{"minPrice": 20}, http.StatusOK, &got)
	s.doProduct(t, http.MethodPut, "/v1/products/"+prd.ID, seller, map[string]any{"cost": 10}, http.StatusOK, &got)
	run([]try{{"the lower cost under a kept sale price", 1, "10", http.StatusCreated, ""}})
	s.doProduct(t, http.MethodPut, "/v1/products/"+prd.ID, seller, map[string]any{"cost": 30}, http.StatusOK, &got)
	run([]try{
		{"under the kept sale price", 1, "19.99", http.StatusBadRequest, `"paid":"must be at least 1 × 20, the product's price"`},
		{"the kept sale price", 1, "20", http.StatusCreated, ""},
	})

	// A total past the largest amount no payment can meet: the quantity
	// is refused, with the most that can be bought, and no stock taken.
	dear := s.createProduct(t, seller, "Yacht", "400000000", 5)
	dearID := uuid.MustParse(dear.ID)
	status, body, _ := s.post(t, "/v1/sales", buyer, newSaleBody(dearID, 3, "1000000000"), "")
	if want := `"quantity":"must be at most 2 at 400000000 each: a sale's total is at most 1000000000"`; status != http.StatusBadRequest || !strings.Contains(string(body), want) {
		t.Errorf("a total past the largest amount: %d %s, want 400 naming %s", status, body, want)
	}
	if got := s.stock(t, dearID); got != 5 {
		t.Errorf("a refused purchase took stock: %d left, want 5", got)
	}
}

// TestSellerCancels: the seller of a product cancels a sale of it (the
// stock comes back, the cancel is audited as theirs); the buyer and
// anyone else cannot.
func TestSellerCancels(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	lamp := s.newProduct(t, s.user1, "Lamp", 10)
	sale := s.buy(t, "user2", lamp, 3, "30")

	for _, who := range []string{"user2", "other"} {
		status, body := s.del(t, sale.ID, who)
		if status != http.StatusForbidden {
			t.Errorf("cancel by %s: %d %s, want 403", who, status, body)
		}
	}
	if status, body := s.del(t, sale.ID, "user1"); status != http.StatusNoContent {
		t.Fatalf("cancel by the seller: %d %s, want 204", status, body)
	}
	if got := s.stock(t, lamp.ID); got != 10 {
		t.Errorf("stock after the cancel: %d, want 10", got)
	}
	var actor uuid.UUID
	if err := s.db.DB.Get(&actor, `SELECT actor_id FROM audits WHERE obj_id = $1 AND action = 'deleted'`, sale.ID); err != nil {
		t.Fatalf("the cancel's audit record: %v", err)
	}
	if actor != s.user1.ID {
		t.Errorf("the cancel is audited as %s's, want the seller's", actor)
	}
}

// del cancels a sale as who and returns the status and body.
func (s *saleEnv) del(t *testing.T, saleID, who string) (int, string) {
	t.Helper()
	a := send(t, s.h, http.MethodDelete, "/v1/sales/"+saleID, s.tokens[who], nil, nil)
	return a.status, a.body
}

// TestPurchasesPerBuyer: a buyer has so many purchases an hour; the next
// is 429 with Retry-After and takes no stock, and another buyer buys.
func TestPurchasesPerBuyer(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	h := s.replica(t, func(c *build.Config) { c.Sales = salebus.Limits{PurchasesPerHour: 3} })
	lamp := s.newProduct(t, s.user1, "Lamp", 100)
	buy := func(who string) int {
		return send(t, h, http.MethodPost, "/v1/sales", s.tokens[who], newSaleBody(lamp.ID, 1, "10"), nil).status
	}

	var got []int
	for range 4 {
		got = append(got, buy("user2"))
	}
	want := []int{http.StatusCreated, http.StatusCreated, http.StatusCreated, http.StatusTooManyRequests}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("four purchases in an hour, three allowed (-want +got):\n%s", diff)
	}
	if stock := s.stock(t, lamp.ID); stock != 97 {
		t.Errorf("stock %d, want 97: the refused purchase took none", stock)
	}
	if status := buy("admin"); status != http.StatusCreated {
		t.Errorf("another buyer meanwhile: %d, want 201", status)
	}
	a := send(t, h, http.MethodPost, "/v1/sales", s.tokens["user2"], newSaleBody(lamp.ID, 1, "10"), nil)
	if a.header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After: %s", a.body)
	}
}

// TestPurchasesPerBuyerInABurst: a buyer's purchases of different
// products, all at once, take turns on the count: of twelve, exactly the
// limit's worth are made.
func TestPurchasesPerBuyerInABurst(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	const limit, burst = 3, 12
	h := s.replica(t, func(c *build.Config) { c.Sales = salebus.Limits{PurchasesPerHour: limit} })
	var products []uuid.UUID
	for i := range burst {
		products = append(products, s.newProduct(t, s.user1, fmt.Sprintf("Thing %d", i), 5).ID)
	}

	statuses := make([]int, burst)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, id := range products {
		wg.Go(func() {
			<-start
			statuses[i] = send(t, h, http.MethodPost, "/v1/sales", s.tokens["user2"], newSaleBody(id, 1, "10"), nil).status
		})
	}
	close(start)
	wg.Wait()
	got := map[int]int{}
	for _, st := range statuses {
		got[st]++
	}
	want := map[int]int{http.StatusCreated: limit, http.StatusTooManyRequests: burst - limit}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("twelve purchases at once, %d allowed (-want +got):\n%s", limit, diff)
	}
}
