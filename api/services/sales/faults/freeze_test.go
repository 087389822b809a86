package faults

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// TestDatabaseFrozen freezes Postgres (SIGSTOP on every process of the
// cluster: sockets open, nothing answers) while buyers buy and readers
// list, with the API's default settings, then thaws it:
//   - every request gets an HTTP answer (never a connection closed on it):
//     201/200, or 503 with Retry-After;
//   - a request that finds the pool stuck is answered 503 quickly;
//   - a buyer who retries with the same Idempotency-Key after a 503 buys
//     exactly once;
//   - the API serves again after the thaw, and the data's invariants hold.
//
// A 7s freeze is past the request deadline (5s), so requests caught by it
// time out, and within the commit grace (5s + 3s), so a COMMIT sent just
// before it ends with its true outcome: a sale exists if and only if its
// answer was 201. A 15s freeze outlasts the grace too: a COMMIT caught by
// it may take effect after its client was told 503, which is why a client
// that must know retries with its Idempotency-Key, and why only keyed
// purchases are checked for exactly-once there.
func TestDatabaseFrozen(t *testing.T) {
	for _, tt := range []struct {
		freeze  time.Duration
		exactly bool // every unkeyed sale exists iff it was answered 201
	}{
		{freeze: 7 * time.Second, exactly: true},
		{freeze: 15 * time.Second, exactly: false},
	} {
		t.Run(tt.freeze.String(), func(t *testing.T) { testFreeze(t, tt.freeze, tt.exactly) })
	}
}

func testFreeze(t *testing.T, freeze time.Duration, exactly bool) {
	s := newStack(t)
	admin := s.token("admin@example.com")
	buyer := s.token("user@example.com")
	product := s.createProduct(admin, 100_000)

	if a := s.do(http.MethodPost, "/v1/users", admin, map[string]any{
		"name": "Retry Buyer", "email": "retry@example.com", "roles": []string{"USER"},
		"password": "gophers", "passwordConfirm": "gophers",
	}, nil); a.Status != http.StatusCreated {
		t.Fatalf("create the retrying buyer: %v", a)
	}
	retrier := s.token("retry@example.com")
	newSale := map[string]any{"productID": product, "quantity": 1, "paid": 1}

	var (
		mu        sync.Mutex
		sales     []answer
		reads     []answer
		keyed     = map[string][]answer{} // Idempotency-Key -> every attempt
		abandoned []answer                // the answers the careful buyer stopped waiting for
		late      sync.WaitGroup
		completed atomic.Int64 // keys whose purchase ended in 201
		stop      atomic.Bool
		wg        sync.WaitGroup
	)
	record := func(list *[]answer, a answer) {
		mu.Lock()
		*list = append(*list, a)
		mu.Unlock()
	}
	for range 6 {
		wg.Go(func() {
			for !stop.Load() {
				record(&sales, s.do(http.MethodPost, "/v1/sales", buyer, newSale, nil))
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for !stop.Load() {
				record(&reads, s.do(http.MethodGet, "/v1/products?rows=5", buyer, nil, nil))
			}
		})
	}
	// A careful client: one key per purchase, retried until it succeeds,
	// also when it gave up waiting (after 2.5 s) and so never learnt
	// what became of an attempt. A freeze longer than that always makes
	// it retry: an attempt it catches outlasts the client's patience.
	// The attempt it gave up on still runs to its answer, which is kept
	// and checked like every other.
	attempt := func(header http.Header) answer {
		done := make(chan answer, 1)
		late.Go(func() { done <- s.do(http.MethodPost, "/v1/sales", retrier, newSale, header) })
		select {
		case a := <-done:
			return a
		case <-time.After(2500 * time.Millisecond):
			late.Go(func() {
				a := <-done
				mu.Lock()
				abandoned = append(abandoned, a)
				mu.Unlock()
			})
			return answer{Start: time.Now(), Err: context.DeadlineExceeded}
		}
	}
	wg.Go(func() {
		for !stop.Load() {
			key := uuid.NewString()
			header := http.Header{"Idempotency-Key": {key}}
			for {
				a := attempt(header)
				mu.Lock()
				keyed[key] = append(keyed[key], a)
				mu.Unlock()
				if a.Status == http.StatusCreated {
					completed.Add(1)
					break
				}
				lost := errors.Is(a.Err, context.DeadlineExceeded)
				if !lost && (a.Err != nil || (a.Status != http.StatusServiceUnavailable && a.Status != http.StatusConflict)) {
					return // reported below
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
	})

	time.Sleep(time.Second)
	frozeAt := time.Now()
	if err := s.pg.Freeze(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(freeze)
	if err := s.pg.Thaw(); err != nil {
		t.Fatal(err)
	}
	thawedAt := time.Now()
	time.Sleep(2 * time.Second)
	stop.Store(true)
	wg.Wait()
	late.Wait()

	// Every request was answered, with a status the client can act on.
	checkAnswers(t, "buy", sales, http.StatusCreated, http.StatusServiceUnavailable)
	checkAnswers(t, "list", reads, http.StatusOK, http.StatusServiceUnavailable)
	// The careful client's attempts, but those it gave up waiting for;
	// a retry may meet its first attempt still running (409).
	var answeredKeyed []answer
	for _, attempts := range keyed {
		for _, a := range attempts {
			if !errors.Is(a.Err, context.DeadlineExceeded) {
				answeredKeyed = append(answeredKeyed, a)
			}
		}
	}
	checkAnswers(t, "keyed buy", answeredKeyed, http.StatusCreated, http.StatusServiceUnavailable, http.StatusConflict)
	// An attempt its client gave up on still ends, within the request's
	// deadline and the commit grace (5s + 3s), in an answer.
	checkAnswers(t, "abandoned keyed buy", abandoned, http.StatusCreated, http.StatusServiceUnavailable, http.StatusConflict)
	for _, a := range abandoned {
		if a.Latency > 9*time.Second {
			t.Errorf("an abandoned keyed buy took %s to answer; want within the 5s deadline and 3s commit grace", a.Latency.Round(time.Millisecond))
		}
	}

	// The freeze was felt, and the API came back from it by itself.
	var unavailable, createdAfter int
	for _, a := range append(slices.Clone(sales), reads...) {
		if a.Status == http.StatusServiceUnavailable {
			unavailable++
		}
		if a.Status == http.StatusCreated && a.Start.After(thawedAt) {
			createdAfter++
		}
	}
	if unavailable == 0 {
		t.Errorf("no request was answered 503 during a %s freeze", freeze)
	}
	if createdAfter == 0 {
		t.Error("no sale succeeded after the thaw")
	}

	// Once every connection is stuck, a request waits for one no longer
	// than the acquire timeout (1s) instead of hanging until its deadline.
	for _, a := range append(slices.Clone(sales), reads...) {
		if a.Start.After(frozeAt.Add(2*time.Second)) && a.Start.Before(thawedAt.Add(-3*time.Second)) && a.Latency > 2500*time.Millisecond {
			t.Errorf("a request sent %s into the freeze waited %s; want 503 within about the 1s acquire timeout",
				a.Start.Sub(frozeAt).Round(time.Millisecond), a.Latency.Round(time.Millisecond))
		}
	}

	// A sale exists if and only if its answer was 201.
	answered := map[string]bool{}
	for _, a := range sales {
		if a.Status == http.StatusCreated {
			answered[saleID(t, a)] = true
		}
	}
	var stored []string
	if err := s.db.Select(&stored, `SELECT sale_id::text FROM sales WHERE product_id = $1 AND buyer_id = (SELECT user_id FROM users WHERE email = 'user@example.com')`, product); err != nil {
		t.Fatal(err)
	}
	if exactly {
		if diff := cmp.Diff(sortedKeys(answered), sorted(stored)); diff != "" {
			t.Errorf("sales stored differ from sales answered 201 (-answered +stored):\n%s", diff)
		}
	} else {
		// Every 201 is a sale; a 503 may be one too.
		exists := map[string]bool{}
		for _, id := range stored {
			exists[id] = true
		}
		for id := range answered {
			if !exists[id] {
				t.Errorf("sale %s was answered 201 but does not exist", id)
			}
		}
	}

	// Each key bought once, however often it was sent, and every 201 for
	// a key names the same sale.
	var retried int
	for key, attempts := range keyed {
		ids := map[string]bool{}
		for _, a := range attempts {
			if a.Status == http.StatusCreated {
				ids[saleID(t, a)] = true
			}
		}
		if len(ids) > 1 {
			t.Errorf("key %s answered with %d different sales", key, len(ids))
		}
		if len(attempts) > 1 {
			retried++
		}
	}
	if retried == 0 {
		t.Error("the retrying buyer never had to retry: the freeze did not catch it")
	}
	var bought int64
	if err := s.db.Get(&bought, `SELECT count(*) FROM sales WHERE buyer_id = (SELECT user_id FROM users WHERE email = 'retry@example.com')`); err != nil {
		t.Fatal(err)
	}
	if bought != completed.Load() {
		t.Errorf("the retrying buyer completed %d purchases but %d sales exist", completed.Load(), bought)
	}

	s.checkInvariants()
	t.Logf("%d buys, %d lists, %d answered 503; %d keyed purchases, %d of them retried",
		len(sales), len(reads), unavailable, completed.Load(), retried)
}

// TestConcurrentRetriesDuringFreeze: one purchase sent several times at
// once with the same Idempotency-Key while Postgres is frozen (a client
// that retries in parallel, or a caller whose replicas all retry), each
// copy retried with that key until it gets a final answer, buys exactly
// once. Every answer on the way is 201, 409 with Retry-After (the key's
// first request is still in progress) or 503 with Retry-After; every 201
// names the one sale, and all but the first are marked replayed.
//
// The freeze (3s) is shorter than the request deadline (5s): the copies
// that took a pool connection before it stuck resume at the thaw and race
// each other for the key, while those that found the pool stuck were
// answered 503 and retry into that race.
func TestConcurrentRetriesDuringFreeze(t *testing.T) {
	const (
		senders = 8 // twice the pool: some must find every connection stuck
		freeze  = 3 * time.Second
	)
	s := newStack(t)
	buyer := s.token("user@example.com")
	product := s.createProduct(s.token("admin@example.com"), 100)
	key := uuid.NewString()
	header := http.Header{"Idempotency-Key": {key}}
	newSale := map[string]any{"productID": product, "quantity": 1, "paid": 1}

	if err := s.pg.Freeze(); err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		answers []answer
		final   = make([]answer, senders) // each sender's last answer
		start   = make(chan struct{})
		wg      sync.WaitGroup
	)
	giveUp := time.Now().Add(freeze + 30*time.Second)
	for i := range senders {
		wg.Go(func() {
			<-start
			for {
				a := s.do(http.MethodPost, "/v1/sales", buyer, newSale, header)
				mu.Lock()
				answers = append(answers, a)
				mu.Unlock()
				final[i] = a
				again := a.Err == nil && (a.Status == http.StatusServiceUnavailable || a.Status == http.StatusConflict)
				if !again || time.Now().After(giveUp) {
					return
				}
				time.Sleep(200 * time.Millisecond)
			}
		})
	}
	close(start)
	time.Sleep(freeze)
	if err := s.pg.Thaw(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	checkAnswers(t, "a copy of the purchase", answers, http.StatusCreated, http.StatusConflict, http.StatusServiceUnavailable)
	var unavailable, inProgress, firsts int
	ids := map[string]bool{}
	for _, a := range answers {
		switch a.Status {
		case http.StatusServiceUnavailable:
			unavailable++
		case http.StatusConflict:
			inProgress++
			if a.Header.Get("Retry-After") == "" {
				t.Errorf("409 without Retry-After: %v", a)
			}
		case http.StatusCreated:
			ids[saleID(t, a)] = true
			if a.Header.Get("Idempotent-Replayed") != "true" {
				firsts++
			}
		}
	}
	for i, a := range final {
		if a.Status != http.StatusCreated {
			t.Errorf("sender %d ended with %v; want 201 once Postgres is back", i, a)
		}
	}
	if unavailable == 0 {
		t.Errorf("no copy was answered 503 during a %s freeze: the freeze did not catch them", freeze)
	}
	if firsts != 1 {
		t.Errorf("%d answers were 201 without Idempotent-Replayed; want exactly one, the rest replays of it", firsts)
	}

	// One sale, the one every 201 named, and one key recorded for it.
	var stored []string
	if err := s.db.Select(&stored, `SELECT sale_id::text FROM sales WHERE product_id = $1`, product); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sortedKeys(ids), sorted(stored)); diff != "" {
		t.Errorf("sales stored differ from the sale the 201s named (-answered +stored):\n%s", diff)
	}
	if len(stored) != 1 {
		t.Errorf("%d sales stored for one Idempotency-Key; want 1", len(stored))
	}
	var keys int
	if err := s.db.Get(&keys, `SELECT count(*) FROM idempotency_keys WHERE key = $1`, key); err != nil {
		t.Fatal(err)
	}
	if keys != 1 {
		t.Errorf("%d idempotency_keys rows for the key; want 1", keys)
	}

	s.checkInvariants()
	t.Logf("%d senders, %d answers: %d 503, %d 409 in progress, %d 201 (%d replayed)",
		senders, len(answers), unavailable, inProgress, len(answers)-unavailable-inProgress, len(answers)-unavailable-inProgress-firsts)
}

// checkAnswers fails t for every answer in list that is no HTTP answer,
// has a status not in ok, or is a 503 without the Retry-After that tells
// its client when to try again.
func checkAnswers(t *testing.T, what string, list []answer, ok ...int) {
	t.Helper()
	for _, a := range list {
		if a.Err != nil || !slices.Contains(ok, a.Status) {
			t.Errorf("%s: %v; want one of %v", what, a, ok)
			continue
		}
		if a.Status == http.StatusServiceUnavailable && a.Header.Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", what)
		}
	}
}

func saleID(t *testing.T, a answer) string {
	t.Helper()
	var sale struct{ ID string }
	if err := json.Unmarshal(a.Body, &sale); err != nil || sale.ID == "" {
		t.Fatalf("a 201 without a sale: %v", a)
	}
	return sale.ID
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return sorted(keys)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
