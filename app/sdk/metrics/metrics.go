// Package metrics holds the API's request counters and latency histogram,
// published as expvar variables for the debug port's /debug/vars.
package metrics

import (
	"errors"
	"expvar"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/garagesale/service/business/sdk/sqldb"
)

// Buckets are the upper bounds, in seconds, of the latency histogram: the
// Prometheus defaults, which span a fast cached read to a slow report.
var Buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Metrics counts requests. Every method is safe for concurrent use and
// takes no lock: recording a request is a few atomic adds.
type Metrics struct {
	requests     atomic.Uint64
	errors       atomic.Uint64
	unavailable  atomic.Uint64
	clientErrors atomic.Uint64
	throttled    atomic.Uint64
	panics       atomic.Uint64

	// counts[i] is the requests with latency in (Buckets[i-1], Buckets[i]];
	// the last is those above every bound. Stored per bucket, not
	// cumulative, so one request touches one counter.
	counts []atomic.Uint64
	sumNS  atomic.Uint64
}

// New returns Metrics at zero.
func New() *Metrics {
	return &Metrics{counts: make([]atomic.Uint64, len(Buckets)+1)}
}

// Request records one finished request. A 5xx counts as an error; a 503
// also as unavailable: a database that is down or slow, or overload,
// rather than a fault of the code. A 4xx counts as a client error, a 429
// also as throttled: a burst of them is a client gone wrong or an
// attack, which no 5xx shows.
func (m *Metrics) Request(d time.Duration, status int, panicked bool) {
	m.requests.Add(1)
	switch {
	case status >= http.StatusInternalServerError:
		m.errors.Add(1)
	case status >= http.StatusBadRequest:
		m.clientErrors.Add(1)
	}
	if status == http.StatusServiceUnavailable {
		m.unavailable.Add(1)
	}
	if status == http.StatusTooManyRequests {
		m.throttled.Add(1)
	}
	if panicked {
		m.panics.Add(1)
	}

	i, _ := slices.BinarySearch(Buckets, d.Seconds())
	m.counts[i].Add(1)
	if d > 0 {
		m.sumNS.Add(uint64(d))
	}
}

// Counters is a snapshot of the request counters.
type Counters struct {
	Requests     uint64
	Errors       uint64
	Unavailable  uint64
	ClientErrors uint64
	Throttled    uint64
	Panics       uint64
}

// Counters returns the counters now.
func (m *Metrics) Counters() Counters {
	return Counters{
		Requests:     m.requests.Load(),
		Errors:       m.errors.Load(),
		Unavailable:  m.unavailable.Load(),
		ClientErrors: m.clientErrors.Load(),
		Throttled:    m.throttled.Load(),
		Panics:       m.panics.Load(),
	}
}

// Latency is a snapshot of the latency histogram as Prometheus has it:
// Buckets maps each upper bound (seconds, as text: "0.005") to the number
// of requests at or under it.
type Latency struct {
	Buckets map[string]uint64 `json:"buckets"`
	Count   uint64            `json:"count"`
	Sum     float64           `json:"sum"`
}

// Latency returns the histogram now. Count is the sum of the buckets, so
// it always agrees with them even while requests are being recorded.
func (m *Metrics) Latency() Latency {
	l := Latency{Buckets: make(map[string]uint64, len(Buckets))}
	var cum uint64
	for i, b := range Buckets {
		cum += m.counts[i].Load()
		l.Buckets[FormatBound(b)] = cum
	}
	l.Count = cum + m.counts[len(Buckets)].Load()
	l.Sum = time.Duration(m.sumNS.Load()).Seconds()
	return l
}

// FormatBound is the text form of a bucket bound, used as its key.
func FormatBound(b float64) string {
	return strconv.FormatFloat(b, 'g', -1, 64)
}

// DB is a snapshot of the connection pool.
type DB struct {
	MaxOpen            int     `json:"max_open"`
	Open               int     `json:"open"`
	InUse              int     `json:"in_use"`
	Idle               int     `json:"idle"`
	WaitCount          int64   `json:"wait_count"`
	WaitDurationSecond float64 `json:"wait_duration_seconds"`
	AcquireTimeouts    int64   `json:"acquire_timeouts"`
	TxRetries          uint64  `json:"tx_retries"`
}

// published guards the expvar names, which are process-wide and may be
// registered once only (expvar panics on a second Publish).
var published atomic.Bool

// ErrPublished is returned when a process publishes its metrics twice.
var ErrPublished = errors.New("metrics are already published in this process")

// Publish registers m as the process's expvar variables, with the build,
// goroutines and db (dbStats). Only one Metrics per process can be
// published; a second call returns ErrPublished.
func (m *Metrics) Publish(build string, dbStats func() sqldb.PoolStats) error {
	if !published.CompareAndSwap(false, true) {
		return ErrPublished
	}
	expvar.NewString("build").Set(build)
	expvar.Publish("goroutines", expvar.Func(func() any { return runtime.NumGoroutine() }))
	expvar.Publish("requests", expvar.Func(func() any { return m.requests.Load() }))
	expvar.Publish("errors", expvar.Func(func() any { return m.errors.Load() }))
	expvar.Publish("unavailable", expvar.Func(func() any { return m.unavailable.Load() }))
	expvar.Publish("client_errors", expvar.Func(func() any { return m.clientErrors.Load() }))
	expvar.Publish("throttled", expvar.Func(func() any { return m.throttled.Load() }))
	expvar.Publish("panics", expvar.Func(func() any { return m.panics.Load() }))
	expvar.Publish("latency", expvar.Func(func() any { return m.Latency() }))
	expvar.Publish("db", expvar.Func(func() any {
		s := dbStats()
		return DB{
			MaxOpen:            s.MaxConns,
			Open:               s.TotalConns,
			InUse:              s.InUse,
			Idle:               s.Idle,
			WaitCount:          s.WaitCount,
			WaitDurationSecond: s.WaitDuration.Seconds(),
			AcquireTimeouts:    s.AcquireTimeouts,
			TxRetries:          s.TxRetries,
		}
	}))
	return nil
}
