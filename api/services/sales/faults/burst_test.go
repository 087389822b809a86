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

// backends is what one look at pg_stat_activity found of the API's
// connections to Postgres.
type backends struct {
	Pool     int `db:"pool"`     // the request pool's
	Total    int `db:"total"`    // every connection the API opened
	Health   int `db:"health"`   // the readiness check's
	Listener int `db:"listener"` // the one listening for user changes
}

// watchBackends samples the connections the API holds open to Postgres
// until ctx ends, and returns the most it saw of each kind. Every
// connection the API opens has an application_name starting with
// 'sales-api' (the pool's is exactly that); the test's own pool has none.
func (s *stack) watchBackends(ctx context.Context) <-chan backends {
	most := make(chan backends, 1)
	go func() {
		var peak backends
		for ctx.Err() == nil {
			var b backends
			if err := s.db.GetContext(ctx, &b, `SELECT
				count(*) FILTER (WHERE application_name = 'sales-api') AS pool,
				count(*) AS total,
				count(*) FILTER (WHERE application_name = 'sales-api health') AS health,
				count(*) FILTER (WHERE application_name = 'sales-api listener') AS listener
				FROM pg_stat_activity
				WHERE backend_type = 'client backend' AND application_name LIKE 'sales-api%'`); err == nil {
				peak = backends{
					Pool:     max(peak.Pool, b.Pool),
					Total:    max(peak.Total, b.Total),
					Health:   max(peak.Health, b.Health),
					Listener: max(peak.Listener, b.Listener),
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
		most <- peak
	}()
	return most
}

// TestBurst: 1,000 authenticated list requests over 400 concurrent
// connections to the real binary. With the defaults the pool of
// SALES_DB_MAX_CONNS serves them in turn (a request that waits past the
// acquire timeout would be answered 503); with a small in-flight limit
// the excess is shed at once with 503 and Retry-After. Either way no
// request goes unanswered, and Postgres never sees more connections from
// the API than its pool's bound plus the two it keeps beside the pool
// (readiness checks and the user-change listener). Readiness, checked on
// that connection of its own, stays 200: a busy pool must not take the
// replica out of service.
func TestBurst(t *testing.T) {
	tests := []struct {
		name         string
		env          []string
		wantShedding bool
	}{
		{name: "defaults"},
		{name: "in-flight limit 50", env: []string{"SALES_WEB_MAX_IN_FLIGHT=50"}, wantShedding: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The default pool size, passed explicitly so that the bound
			// checked below is the one the binary was given.
			s := newStack(t, append([]string{"SALES_DB_MAX_CONNS=4"}, tt.env...)...)
			maxConns := s.settingInt("SALES_DB_MAX_CONNS")
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
			if peak.Pool > maxConns {
				t.Errorf("Postgres had %d connections from the API's pool, over SALES_DB_MAX_CONNS=%d", peak.Pool, maxConns)
			}
			if peak.Total > maxConns+2 {
				t.Errorf("Postgres had %d connections from the API in all, over SALES_DB_MAX_CONNS + 2 (readiness, listener) = %d", peak.Total, maxConns+2)
			}
			// Without these the watch would be blind to part of what it
			// bounds, and the bounds above could not fail.
			if peak.Pool == 0 || peak.Health == 0 || peak.Listener == 0 {
				t.Errorf("never saw some of the API's connections in pg_stat_activity (%+v): the watch is broken", peak)
			}
			if tt.wantShedding && codes[http.StatusServiceUnavailable] == 0 {
				t.Error("no request was shed with 503 over an in-flight limit of 50")
			}
			t.Logf("statuses %v; at most %d Postgres connections from the pool, %d in all", codesString(codes), peak.Pool, peak.Total)
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
