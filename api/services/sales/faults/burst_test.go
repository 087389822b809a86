package faults

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// burst sends n requests for url with token over conns concurrent
// connections, as fast as they are answered, and returns every result.
func burst(url, token string, n, conns int) []*vegeta.Result {
	header := http.Header{"Authorization": {"Bearer " + token}}
	targeter := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: url, Header: header})
	attacker := vegeta.NewAttacker(
		vegeta.Connections(conns),
		vegeta.MaxConnections(conns),
		vegeta.Workers(uint64(conns)),
		vegeta.MaxWorkers(uint64(conns)),
		vegeta.KeepAlive(true),
		vegeta.Timeout(30*time.Second), // longer than any answer may take
	)
	var results []*vegeta.Result
	for r := range attacker.Attack(targeter, countPacer(n), 0, "burst") {
		results = append(results, r)
	}
	return results
}

// countPacer sends n requests with no pause: as many at once as there are
// workers.
type countPacer uint64

func (p countPacer) Pace(_ time.Duration, hits uint64) (time.Duration, bool) {
	return 0, hits >= uint64(p)
}

func (p countPacer) Rate(time.Duration) float64 { return 0 }

// watchBackends samples how many client connections the API holds open to
// Postgres until ctx ends, and returns the most it saw.
func (s *stack) watchBackends(ctx context.Context) <-chan int {
	most := make(chan int, 1)
	go func() {
		peak := 0
		for ctx.Err() == nil {
			var n int
			if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM pg_stat_activity
				WHERE backend_type = 'client backend' AND application_name = 'sales-api'`); err == nil && n > peak {
				peak = n
			}
			time.Sleep(5 * time.Millisecond)
		}
		most <- peak
	}()
	return most
}

// TestBurst: 1,000 authenticated list requests over 400 concurrent
// connections to the real binary. With the defaults the pool of 10 serves
// them in turn (a request that waits past the acquire timeout would be
// answered 503); with a small in-flight limit the excess is shed at once
// with 503 and Retry-After. Either way no request goes unanswered,
// Postgres never sees more request connections than the pool's bound, and
// readiness, checked on a connection of its own, stays 200: a busy pool
// must not take the replica out of service.
func TestBurst(t *testing.T) {
	tests := []struct {
		name         string
		env          []string
		maxConns     int
		wantShedding bool
	}{
		{name: "defaults", maxConns: 4},
		{name: "in-flight limit 50", env: []string{"SALES_WEB_MAX_IN_FLIGHT=50"}, maxConns: 4, wantShedding: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t, tt.env...)
			token := s.token("admin@example.com")

			ctx, cancel := context.WithCancel(context.Background())
			most := s.watchBackends(ctx)
			notReady := make(chan int, 1)
			go func() {
				n := 0
				for ctx.Err() == nil {
					if a := s.do(http.MethodGet, s.debug+"/debug/readiness", "", nil, nil); a.Status != http.StatusOK {
						n++
					}
					time.Sleep(20 * time.Millisecond)
				}
				notReady <- n
			}()
			results := burst(s.api+"/v1/users?page=1&rows=10", token, 1000, 400)
			cancel()
			peak := <-most
			if n := <-notReady; n > 0 {
				t.Errorf("readiness failed %d times during the burst, want never", n)
			}

			if len(results) != 1000 {
				t.Fatalf("got %d results, want 1000", len(results))
			}
			codes := map[uint16]int{}
			for _, r := range results {
				codes[r.Code]++
				switch {
				case r.Error != "" && r.Code == 0:
					t.Errorf("request %d: no answer: %s", r.Seq, r.Error)
				case r.Code != http.StatusOK && r.Code != http.StatusTooManyRequests && r.Code != http.StatusServiceUnavailable:
					t.Errorf("request %d: status %d: %s", r.Seq, r.Code, r.Body)
				case r.Code != http.StatusOK && r.Headers.Get("Retry-After") == "":
					t.Errorf("request %d: status %d without Retry-After", r.Seq, r.Code)
				}
			}
			if peak > tt.maxConns {
				t.Errorf("Postgres had %d connections from the API, over its pool's bound of %d", peak, tt.maxConns)
			}
			if peak == 0 {
				t.Error("never saw the API's connections in pg_stat_activity: the watch is broken")
			}
			if tt.wantShedding && codes[http.StatusServiceUnavailable] == 0 {
				t.Error("no request was shed with 503 over an in-flight limit of 50")
			}
			t.Logf("statuses %v; at most %d Postgres connections", codesString(codes), peak)
		})
	}
}

func codesString(codes map[uint16]int) string {
	s := ""
	for c, n := range codes {
		s += strconv.Itoa(int(c)) + ":" + strconv.Itoa(n) + " "
	}
	return s
}
