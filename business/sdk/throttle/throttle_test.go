package throttle_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/sdk/throttle"
	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

// clock is a time the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

var policy = throttle.Policy{Free: 3, Window: time.Hour, Base: time.Minute, Max: 4 * time.Minute}

// step is one thing done to a key: after moving the clock by after, an
// attempt, the refund of the last or the first attempt counted, or a
// reset.
type step struct {
	after time.Duration
	do    string // "try", "refund", "refund first" or "reset"
}

var (
	try         = step{do: "try"}
	refund      = step{do: "refund"}
	refundFirst = step{do: "refund first"}
	reset       = step{do: "reset"}
)

func tryAfter(d time.Duration) step { return step{after: d, do: "try"} }

func repeat(s step, n int) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func steps(parts ...[]step) []step {
	var out []step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// TestTry: what each attempt is answered, as a list of waits (0: let
// through and counted), and the count the key is left with.
func TestTry(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	ctx := context.Background()

	const m = time.Minute
	tests := []struct {
		name       string
		policy     throttle.Policy
		steps      []step
		wantWaits  []time.Duration // of each try, in order
		wantEvents int
	}{
		{
			name:       "the last free attempt locks for Base",
			steps:      repeat(try, 5),
			wantWaits:  []time.Duration{0, 0, 0, m, m},
			wantEvents: 3,
		},
		{
			name:       "an attempt after the lock is let through and locks twice as long",
			steps:      steps(repeat(try, 3), []step{tryAfter(m), try, tryAfter(90 * time.Second)}),
			wantWaits:  []time.Duration{0, 0, 0, 0, 2 * m, 30 * time.Second},
			wantEvents: 4,
		},
		{
			name:       "the lock doubles up to Max and stays there",
			steps:      steps(repeat(try, 3), []step{tryAfter(m), tryAfter(2 * m), tryAfter(4 * m), tryAfter(4 * m), try}),
			wantWaits:  []time.Duration{0, 0, 0, 0, 0, 0, 0, 4 * m},
			wantEvents: 7,
		},
		{
			name:       "refused attempts neither count nor lengthen the lock",
			steps:      steps(repeat(try, 3), repeat(tryAfter(10*time.Second), 5), []step{tryAfter(10 * time.Second), try}),
			wantWaits:  []time.Duration{0, 0, 0, 50 * time.Second, 40 * time.Second, 30 * time.Second, 20 * time.Second, 10 * time.Second, 0, 2 * m},
			wantEvents: 4,
		},
		{
			name:       "the window starts afresh once it has passed",
			steps:      steps(repeat(try, 2), []step{tryAfter(time.Hour)}, repeat(try, 3)),
			wantWaits:  []time.Duration{0, 0, 0, 0, 0, m},
			wantEvents: 3,
		},
		{
			name:       "a refund takes the attempt back and lifts the lock it set",
			steps:      steps(repeat(try, 3), []step{refund}, repeat(try, 2)),
			wantWaits:  []time.Duration{0, 0, 0, 0, m},
			wantEvents: 3,
		},
		{
			name:       "a refund keeps a lock that a later attempt set",
			steps:      []step{try, try, try, refundFirst, try},
			wantWaits:  []time.Duration{0, 0, 0, m},
			wantEvents: 2,
		},
		{
			name:       "a refund of an attempt below the limit only lowers the count",
			steps:      steps(repeat(try, 2), []step{refund}, repeat(try, 3)),
			wantWaits:  []time.Duration{0, 0, 0, 0, m},
			wantEvents: 3,
		},
		{
			name:       "a refund from a window that has passed leaves the new count",
			steps:      []step{try, tryAfter(time.Hour), try, refundFirst},
			wantWaits:  []time.Duration{0, 0, 0},
			wantEvents: 2,
		},
		{
			name:       "a reset forgets every attempt",
			steps:      steps(repeat(try, 3), []step{reset}, repeat(try, 4)),
			wantWaits:  []time.Duration{0, 0, 0, 0, 0, 0, m},
			wantEvents: 3,
		},
		{
			name:       "Free 1 locks on the first attempt",
			policy:     throttle.Policy{Free: 1, Window: time.Hour, Base: m, Max: 4 * m},
			steps:      repeat(try, 2),
			wantWaits:  []time.Duration{0, m},
			wantEvents: 1,
		},
		{
			name:       "a zero Base never locks",
			policy:     throttle.Policy{Free: 1, Window: time.Hour},
			steps:      repeat(try, 4),
			wantWaits:  []time.Duration{0, 0, 0, 0},
			wantEvents: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := tt.policy
			if p == (throttle.Policy{}) {
				p = policy
			}
			clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			lim := throttle.New(db.DB, clk.now)
			key := "test:" + tt.name

			var (
				waits   []time.Duration
				counted []throttle.Attempt
			)
			for _, s := range tt.steps {
				clk.add(s.after)
				var err error
				switch s.do {
				case "try":
					var a throttle.Attempt
					a, err = lim.Try(ctx, key, p)
					waits = append(waits, a.Wait)
					if !a.Refused() {
						counted = append(counted, a)
					}
				case "refund":
					err = lim.Refund(ctx, counted[len(counted)-1])
				case "refund first":
					err = lim.Refund(ctx, counted[0])
				case "reset":
					err = lim.Reset(ctx, key)
				}
				if err != nil {
					t.Fatalf("%s: %v", s.do, err)
				}
			}
			if diff := cmp.Diff(tt.wantWaits, waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if got := events(t, db.DB, key); got != tt.wantEvents {
				t.Errorf("events = %d, want %d", got, tt.wantEvents)
			}
		})
	}
}

// TestTryUnderConcurrency: a burst of attempts at one key, spread over two
// limiters with pools of their own as two replicas would be, lets through
// exactly the free attempts; once the lock has passed, a second burst lets
// through exactly one.
func TestTryUnderConcurrency(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	other, err := sqldb.OpenURL(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	limiters := []*throttle.Limiter{throttle.New(db.DB, clk.now), throttle.New(other.DB, clk.now)}

	tests := []struct {
		name        string
		after       time.Duration
		wantLetIn   int
		wantRefused int
	}{
		{name: "the first burst gets the free attempts", wantLetIn: policy.Free, wantRefused: 60 - policy.Free},
		{name: "a burst after the lock gets one", after: time.Minute, wantLetIn: 1, wantRefused: 59},
		{name: "a burst while locked gets none", wantLetIn: 0, wantRefused: 60},
	}
	for _, tt := range tests {
		clk.add(tt.after)
		var (
			mu      sync.Mutex
			letIn   int
			refused int
			wg      sync.WaitGroup
		)
		start := make(chan struct{})
		for i := range 60 {
			wg.Go(func() {
				<-start
				a, err := limiters[i%2].Try(context.Background(), "login:account:burst", policy)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Errorf("%s: %v", tt.name, err)
				case a.Refused():
					refused++
				default:
					letIn++
				}
			})
		}
		close(start)
		wg.Wait()
		if diff := cmp.Diff([2]int{tt.wantLetIn, tt.wantRefused}, [2]int{letIn, refused}); diff != "" {
			t.Errorf("%s: [let in, refused] (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestDeleteExpired: the sweep removes counters idle for long enough,
// but never one still locked.
func TestDeleteExpired(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	lim := throttle.New(db.DB, clk.now)
	long := throttle.Policy{Free: 1, Window: time.Hour, Base: 3 * time.Hour, Max: 3 * time.Hour}

	for key, p := range map[string]throttle.Policy{"idle": policy, "locked": long} {
		if _, err := lim.Try(ctx, key, p); err != nil {
			t.Fatal(err)
		}
	}
	clk.add(30 * time.Minute)
	if _, err := lim.Try(ctx, "recent", policy); err != nil {
		t.Fatal(err)
	}
	clk.add(2 * time.Hour)

	n, err := lim.DeleteExpired(ctx, "", time.Hour, 100)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	if err := db.DB.SelectContext(ctx, &left, `SELECT key FROM throttles ORDER BY key`); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{2, []string{"locked"}}, []any{n, left}); diff != "" {
		t.Errorf("[deleted, left] (-want +got):\n%s", diff)
	}
}

// events is the count stored for key; none is 0.
func events(t *testing.T, db interface {
	GetContext(context.Context, any, string, ...any) error
}, key string) int {
	t.Helper()
	var n int
	err := db.GetContext(context.Background(), &n, `SELECT coalesce((SELECT events FROM throttles WHERE key = $1), 0)`, key)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDeleteExpiredKeepsARenewedCounter: a counter the sweep picked as
// idle, but that an attempt counts again before the sweep deletes it, is
// kept with that attempt: the sweep neither deletes it (the attempt would
// be forgotten, one more guess for free) nor waits on it (replicas sweep
// at once, and requests counting on the rows a waiting sweep holds).
func TestDeleteExpiredKeepsARenewedCounter(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := throttle.New(db.DB, clk.now).Try(ctx, "k", policy); err != nil {
		t.Fatal(err)
	}
	clk.add(2 * time.Hour)

	// An attempt counted, its transaction not yet committed.
	tx, err := db.DB.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := throttle.New(tx, clk.now).Try(ctx, "k", policy); err != nil {
		t.Fatal(err)
	}

	swept := make(chan error, 1)
	go func() {
		_, err := throttle.New(db.DB, clk.now).DeleteExpired(ctx, "", time.Hour, 100)
		swept <- err
	}()
	// Commit once the sweep has run, or is waiting for the attempt's row.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var waiting bool
		const q = `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%DELETE FROM throttles%')`
		if err := db.DB.GetContext(ctx, &waiting, q); err != nil {
			t.Fatal(err)
		}
		if waiting || len(swept) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sweep neither ended nor waited within 10s")
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-swept; err != nil {
		t.Fatal(err)
	}
	if n := events(t, db.DB, "k"); n != 1 {
		t.Errorf("the renewed counter holds %d events, want 1 (the attempt counted after the idle window)", n)
	}
}
