package tests

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/app/domain/saleapp"
	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// post sends a POST with an optional Idempotency-Key and returns the
// status, the body and the response's headers.
func (s *saleEnv) post(t *testing.T, url, who string, body any, key string) (int, []byte, http.Header) {
	t.Helper()
	var h http.Header
	if key != "" {
		h = http.Header{"Idempotency-Key": {key}}
	}
	resp := apitest.Do(t, s.h, http.MethodPost, url, s.tokens[who], body, h)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

func TestSalesIdempotencyKey(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	lamp := s.newProduct(t, s.user1, "Lamp", 10)
	body := newSaleBody(lamp.ID, 2, "20")
	key := uuid.NewString()

	status, first, _ := s.post(t, "/v1/sales", "user2", body, key)
	if status != http.StatusCreated {
		t.Fatalf("first attempt: %d %s", status, first)
	}

	// A retry gets the first answer again, to the byte, and buys nothing.
	status, again, header := s.post(t, "/v1/sales", "user2", body, key)
	if status != http.StatusCreated || string(again) != string(first) {
		t.Errorf("retry: %d %s; want 201 %s", status, again, first)
	}
	if header.Get("Idempotent-Replayed") != "true" {
		t.Error("a replayed answer is not marked Idempotent-Replayed")
	}
	// The draft's quoted form is the same key.
	if status, quoted, _ := s.post(t, "/v1/sales", "user2", body, `"`+key+`"`); status != http.StatusCreated || string(quoted) != string(first) {
		t.Errorf("retry with the key quoted: %d %s", status, quoted)
	}
	if n := s.count(t, `SELECT count(*) FROM sales WHERE product_id = $1`, lamp.ID); n != 1 {
		t.Errorf("sales after three sends of one key: %d, want 1", n)
	}
	if n := s.stock(t, lamp.ID); n != 8 {
		t.Errorf("stock: %d, want 8", n)
	}

	reused := func(n, url string, body any) apitest.Case {
		return apitest.Case{Name: n, Method: http.MethodPost, URL: url, Token: s.tokens["user2"], Body: body,
			Header:     http.Header{"Idempotency-Key": {key}},
			StatusCode: http.StatusUnprocessableEntity, Got: &errs.Error{}, Exp: errBody(errs.IdempotencyKeyReused), Cmp: cmpErr}
	}
	badKey := func(n, k string) apitest.Case {
		return apitest.Case{Name: n, Method: http.MethodPost, URL: "/v1/sales", Token: s.tokens["user2"], Body: body,
			Header:     http.Header{"Idempotency-Key": {k}},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "Idempotency-Key"), Cmp: cmpErr}
	}
	apitest.Run(t, s.h, []apitest.Case{
		reused("same-key/other-body", "/v1/sales", newSaleBody(lamp.ID, 3, "30")),
		reused("same-key/other-route", "/v1/products", map[string]any{"name": "Chair", "cost": 1, "quantity": 1}),
		badKey("key/too-long", strings.Repeat("k", 256)),
		badKey("key/not-ascii", "clé"),
		badKey("key/empty", ""),
		badKey("key/empty-quotes", `""`),
		// Each key has one reading: these are not the key `"`.
		badKey("key/a-bare-quote", `"`),
		badKey("key/an-unescaped-quote-inside", `"""`),
		badKey("key/an-unknown-escape", `"a\b"`),
		// Keys are the caller's own: another buyer's same key is a new
		// purchase.
		{Name: "same-key/other-caller", Method: http.MethodPost, URL: "/v1/sales", Token: s.tokens["other"], Body: body,
			Header:     http.Header{"Idempotency-Key": {key}},
			StatusCode: http.StatusCreated, Got: &saleapp.Sale{}, Cmp: func(any, any) string { return "" }},
	})
	if n := s.count(t, `SELECT count(*) FROM sales WHERE product_id = $1`, lamp.ID); n != 2 {
		t.Errorf("sales: %d, want 2 (one per caller)", n)
	}

	// A refusal is not kept: the same key succeeds once there is stock.
	failKey := uuid.NewString()
	big := newSaleBody(lamp.ID, 7, "70")
	if status, b, _ := s.post(t, "/v1/sales", "user2", big, failKey); status != http.StatusConflict {
		t.Fatalf("buying 7 of 6: %d %s; want 409", status, b)
	}
	ten := dbtest.Must(quantity.Parse(10))
	if _, err := s.productBus.Update(context.Background(), s.user1.ID, lamp.ID, productbus.UpdateProduct{Quantity: &ten}); err != nil {
		t.Fatal(err)
	}
	if status, b, _ := s.post(t, "/v1/sales", "user2", big, failKey); status != http.StatusCreated {
		t.Errorf("the same key after restocking: %d %s; want 201", status, b)
	}

	// POST /v1/products takes keys too.
	prod := map[string]any{"name": "Chair", "cost": 5, "quantity": 1}
	pkey := uuid.NewString()
	_, p1, _ := s.post(t, "/v1/products", "user1", prod, pkey)
	status, p2, _ := s.post(t, "/v1/products", "user1", prod, pkey)
	if status != http.StatusCreated || string(p1) != string(p2) {
		t.Errorf("product retry: %d %s; want 201 %s", status, p2, p1)
	}
	if n := s.count(t, `SELECT count(*) FROM products WHERE name = 'Chair'`); n != 1 {
		t.Errorf("products named Chair: %d, want 1", n)
	}
	dbtest.CheckInvariants(t, s.db.DB, salebus.Invariants)
}

// TestSalesIdempotencyKeyInProgress: while a request with a key runs, a
// retry with that key is told 409 at once, not queued behind it.
func TestSalesIdempotencyKeyInProgress(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	lamp := s.newProduct(t, s.user1, "Lamp", 10)
	key := uuid.NewString()

	// Hold the key's lock as a running request would.
	ctx := context.Background()
	conn, err := s.db.DB.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	lock := "idempotency:" + s.user2.ID.String() + ":" + key
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtextextended($1, 0))`, lock); err != nil {
		t.Fatal(err)
	}

	status, b, header := s.post(t, "/v1/sales", "user2", newSaleBody(lamp.ID, 1, "1"), key)
	var e errs.Error
	_ = json.Unmarshal(b, &e)
	if status != http.StatusConflict || e.Code != errs.Aborted || header.Get("Retry-After") == "" {
		t.Errorf("while the key is in use: %d %s (Retry-After %q); want 409 aborted with Retry-After", status, b, header.Get("Retry-After"))
	}

	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, lock); err != nil {
		t.Fatal(err)
	}
	if status, b, _ := s.post(t, "/v1/sales", "user2", newSaleBody(lamp.ID, 1, "1"), key); status != http.StatusCreated {
		t.Errorf("after it finished: %d %s; want 201", status, b)
	}
}

// TestSalesIdempotencyKeyConcurrentRetries: twenty sends of one purchase
// with one key, all at once, buy once; every success names that sale.
func TestSalesIdempotencyKeyConcurrentRetries(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	lamp := s.newProduct(t, s.user1, "Lamp", 100)
	key := uuid.NewString()
	body := newSaleBody(lamp.ID, 1, "1")

	const sends = 20
	statuses := make([]int, sends)
	bodies := make([][]byte, sends)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range sends {
		wg.Go(func() {
			<-start
			statuses[i], bodies[i], _ = s.post(t, "/v1/sales", "user2", body, key)
		})
	}
	close(start)
	wg.Wait()

	ids := map[string]bool{}
	for i, st := range statuses {
		switch st {
		case http.StatusCreated:
			var sale saleapp.Sale
			if err := json.Unmarshal(bodies[i], &sale); err != nil {
				t.Fatal(err)
			}
			ids[sale.ID] = true
		case http.StatusConflict: // in progress: retry later
		default:
			t.Errorf("send %d: %d %s; want 201 or 409", i, st, bodies[i])
		}
	}
	if len(ids) != 1 {
		t.Errorf("the 201s name %d sales, want 1", len(ids))
	}
	if n := s.count(t, `SELECT count(*) FROM sales WHERE product_id = $1`, lamp.ID); n != 1 {
		t.Errorf("sales: %d, want 1", n)
	}
	dbtest.CheckInvariants(t, s.db.DB, salebus.Invariants)
}

// TestDeletesDoNotDeadlock deletes a sale and its product at the same
// moment: the test holds the product's row while both requests queue
// behind it, then lets them race. A sale delete that locked its sale
// first would now deadlock with the product delete (whose foreign key
// check locks the sale) half the time. Both take the product first, and a
// deadlock would be retried anyway: the sale's delete always succeeds, the
// product's either follows it (204) or finds the sale still there (409),
// and nothing answers 500.
func TestDeletesDoNotDeadlock(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	ctx := context.Background()

	for round := range 6 {
		p := s.newProduct(t, s.user1, "Lamp", 5)
		sale := s.buy(t, "user2", p, 1, "1")

		holder, err := s.db.DB.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := holder.ExecContext(ctx, `SELECT 1 FROM products WHERE product_id = $1 FOR UPDATE`, p.ID); err != nil {
			t.Fatal(err)
		}

		del := func(url, who string) int {
			resp := apitest.Do(t, s.h, http.MethodDelete, url, s.tokens[who], nil, nil)
			resp.Body.Close()
			return resp.StatusCode
		}
		var wg sync.WaitGroup
		var saleStatus, productStatus int
		wg.Go(func() { saleStatus = del("/v1/sales/"+sale.ID, "admin") })
		wg.Go(func() { productStatus = del("/v1/products/"+p.ID.String(), "user1") })

		for waiting := 0; waiting < 2; time.Sleep(2 * time.Millisecond) {
			if err := s.db.DB.GetContext(ctx, &waiting, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
				t.Fatal(err)
			}
		}
		if err := holder.Rollback(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()

		if saleStatus != http.StatusNoContent {
			t.Errorf("round %d: sale delete %d, want 204", round, saleStatus)
		}
		if productStatus != http.StatusNoContent && productStatus != http.StatusConflict {
			t.Errorf("round %d: product delete %d, want 204 or 409", round, productStatus)
		}
	}
	dbtest.CheckInvariants(t, s.db.DB, salebus.Invariants)
}

// TestSaleDeleteAtTheStockCeiling: a sale whose quantity the product's
// stock cannot take back (it is at the ceiling) is refused with 409 and
// nothing changes.
func TestSaleDeleteAtTheStockCeiling(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	lamp := s.newProduct(t, s.user1, "Lamp", 5)
	sale := s.buy(t, "user2", lamp, 2, "2")

	ceiling := dbtest.Must(quantity.Parse(quantity.Max))
	if _, err := s.productBus.Update(context.Background(), s.user1.ID, lamp.ID, productbus.UpdateProduct{Quantity: &ceiling}); err != nil {
		t.Fatal(err)
	}
	apitest.Run(t, s.h, []apitest.Case{
		{Name: "delete", Method: http.MethodDelete, URL: "/v1/sales/" + sale.ID, Token: s.tokens["admin"],
			StatusCode: http.StatusConflict, Got: &errs.Error{}, Exp: errBody(errs.Aborted), Cmp: cmpErr},
	})
	if diff := cmp.Diff([]int{quantity.Max, 1}, []int{s.stock(t, lamp.ID), s.count(t, `SELECT count(*) FROM sales WHERE sale_id = $1`, sale.ID)}); diff != "" {
		t.Errorf("stock and sales after the refused delete (-want +got):\n%s", diff)
	}
	dbtest.CheckInvariants(t, s.db.DB, salebus.Invariants)
}
