package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// scenario is one kind of request, sent the same to the API and to the
// baseline.
type scenario struct {
	name string
	// target is the request, sent alike to both.
	target func(s *stack) request
	// run, when set, is the scenario instead of a request: one round of
	// the API's side or the baseline's, measured as it likes.
	run func(ctx context.Context, s *stack, cfg config, round int, api bool) (metrics, error)
	// want is the least ratio to the baseline the API should reach; 0
	// means none is set.
	want float64
}

var scenarios = []scenario{
	{"list-users", func(s *stack) request {
		return get("/v1/users?page=1&rows=10&orderBy=id,ASC", s.adminToken)
	}, nil, 0.85},
	{"list-products", func(s *stack) request {
		return get("/v1/products?page=1&rows=10&name=Product%201", s.userToken)
	}, nil, 0.85},
	{"get-user", func(s *stack) request {
		return get("/v1/users/"+s.userID, s.adminToken)
	}, nil, 0.85},
	{"create-product", func(s *stack) request {
		return post("/v1/products", s.userToken, `{"name":"Load lamp","cost":12.5,"quantity":3}`)
	}, nil, 0.7},
	{"buy", func(s *stack) request {
		return post("/v1/sales", s.adminToken, `{"productID":"`+s.stockProductID+`","quantity":1,"paid":1}`)
	}, nil, 0.85},
	// A purchase as the README says to send one: with an Idempotency-Key,
	// a new one each, so each is bought and its answer recorded.
	{"buy-keyed", func(s *stack) request {
		r := post("/v1/sales", s.adminToken, `{"productID":"`+s.stockProductID+`","quantity":1,"paid":1}`)
		r.keyed = true
		return r
	}, nil, 0.85},
	// Offline ingest: sales-admin ingest of a file of sales against a
	// COPY of the same rows (ratio of lines a second).
	{name: "ingest", run: ingestRound, want: 0.35},
	{"token", func(s *stack) request {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.SetBasicAuth("user@example.com", "gophers")
		return request{method: http.MethodGet, path: "/v1/users/token/" + s.kid, header: r.Header}
	}, nil, 0},
}

func scenarioNames() []string {
	names := make([]string, len(scenarios))
	for i, sc := range scenarios {
		names[i] = sc.name
	}
	return names
}

// side is one server's figures over the rounds.
type side struct {
	rates    []float64 // successful requests a second, per round
	p50, p99 []time.Duration
	requests uint64
	errors   uint64
}

func (sd *side) add(m metrics) {
	sd.rates = append(sd.rates, m.rate)
	sd.p50 = append(sd.p50, m.p50)
	sd.p99 = append(sd.p99, m.p99)
	sd.requests += m.requests
	sd.errors += m.errors
}

// result is one scenario's figures.
type result struct {
	scenario     scenario
	api, bare    side
	apiRSS       int64 // peak, in kB
	apiBackends  int
	bareBackends int
}

// measure runs every scenario for cfg.rounds rounds, the API and the
// baseline in turn, their order swapped each round so neither always goes
// first on a warm machine.
func measure(ctx context.Context, s *stack, cfg config) ([]result, error) {
	var out []result
	for _, name := range cfg.scenarios {
		i := slices.IndexFunc(scenarios, func(sc scenario) bool { return sc.name == name })
		if i < 0 {
			return nil, fmt.Errorf("no scenario %q (have %s)", name, strings.Join(scenarioNames(), ", "))
		}
		sc := scenarios[i]
		res := result{scenario: sc}
		var target request
		if sc.run == nil {
			target = sc.target(s)
			// Warm both up: connections, caches, the JIT of nothing.
			for _, base := range []string{s.api, s.bare} {
				if _, err := attack(ctx, base, target, cfg.conns, time.Second); err != nil {
					return nil, err
				}
			}
		}

		for round := range cfg.rounds {
			order := []bool{true, false} // API first
			if round%2 == 1 {
				order = []bool{false, true}
			}
			for _, isAPI := range order {
				base := s.bare
				if isAPI {
					base = s.api
				}
				stop := make(chan struct{})
				peak := make(chan [2]int, 1)
				go watchBackends(ctx, s.dbURL, stop, peak)
				profiled := make(chan error, 1)
				if isAPI && round == 0 && cfg.profile != "" {
					go func() { profiled <- profile(ctx, s.debug, cfg.duration, filepath.Join(cfg.profile, sc.name+".pprof")) }()
				} else {
					profiled <- nil
				}
				var m metrics
				var err error
				if sc.run != nil {
					m, err = sc.run(ctx, s, cfg, round, isAPI)
				} else {
					m, err = attack(ctx, base, target, cfg.conns, cfg.duration)
				}
				if perr := <-profiled; err == nil {
					err = perr
				}
				if err != nil {
					return nil, err
				}
				close(stop)
				backends := <-peak
				if isAPI {
					res.api.add(m)
					res.apiBackends = max(res.apiBackends, backends[0])
				} else {
					res.bare.add(m)
					res.bareBackends = max(res.bareBackends, backends[1])
				}
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
			}
		}
		res.apiRSS = peakRSS(s.apiProc.Process.Pid)
		fmt.Fprintf(os.Stderr, "%-15s API %7.0f req/s, baseline %7.0f req/s\n", sc.name, median(res.api.rates), median(res.bare.rates))
		out = append(out, res)
	}
	return out, nil
}

// profile writes a CPU profile of the API, taken from its debug port over
// most of d, to file.
func profile(ctx context.Context, debug string, d time.Duration, file string) error {
	secs := max(1, int(d.Seconds())-1)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, debug+"/debug/pprof/profile?seconds="+strconv.Itoa(secs), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}

// watchBackends samples the client connections of the API and of the
// baseline until stop, and sends the most of each it saw.
func watchBackends(ctx context.Context, url string, stop <-chan struct{}, peak chan<- [2]int) {
	var most [2]int
	defer func() { peak <- most }()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return
	}
	defer conn.Close(context.WithoutCancel(ctx))
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		var api, bare int
		if err := conn.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE application_name LIKE 'sales-api%'),
			count(*) FILTER (WHERE application_name = 'bare')
			FROM pg_stat_activity WHERE backend_type = 'client backend'`).Scan(&api, &bare); err == nil {
			most[0], most[1] = max(most[0], api), max(most[1], bare)
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// peakRSS returns a process's peak resident set (VmHWM) in kB.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func median[T int64 | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
