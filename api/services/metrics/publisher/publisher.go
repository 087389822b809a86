// Package publisher serves the sales-api's last collected figures as
// Prometheus metrics, through client_golang's own exposition.
package publisher

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/garagesale/service/api/services/metrics/collector"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every metric the sidecar serves. It is not "up"
// alone: Prometheus writes its own `up` series for every scrape target (the
// sidecar here), and the API's health is a different fact.
const Namespace = "sales_api"

// metric is one served figure: how to describe it and where its value is.
type metric struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(s *collector.Snapshot) float64
}

func gauge(name, help string, value func(s *collector.Snapshot) float64) metric {
	return metric{desc: prometheus.NewDesc(Namespace+"_"+name, help, nil, nil), kind: prometheus.GaugeValue, value: value}
}

func counter(name, help string, value func(s *collector.Snapshot) float64) metric {
	return metric{desc: prometheus.NewDesc(Namespace+"_"+name, help, nil, nil), kind: prometheus.CounterValue, value: value}
}

// metrics are the figures taken from a Snapshot, served as long as there
// has been one.
var metrics = []metric{
	counter("requests_total", "Requests the API has handled.", func(s *collector.Snapshot) float64 { return s.Requests }),
	counter("errors_total", "Requests that ended in a server error (5xx).", func(s *collector.Snapshot) float64 { return s.Errors }),
	counter("unavailable_total", "Requests answered 503 (also counted in errors): the database down, stalled or out of connections, or the API at capacity.", func(s *collector.Snapshot) float64 { return s.Unavailable }),
	counter("client_errors_total", "Requests refused as the client's mistake (4xx): a burst is a client gone wrong, or someone probing.", func(s *collector.Snapshot) float64 { return s.ClientErrors }),
	counter("throttled_total", "Requests answered 429 (also counted in client errors): too many logins, signups, purchases or uploads.", func(s *collector.Snapshot) float64 { return s.Throttled }),
	counter("panics_total", "Requests whose handler panicked (also counted in errors).", func(s *collector.Snapshot) float64 { return s.Panics }),
	gauge("goroutines", "Goroutines in the API process.", func(s *collector.Snapshot) float64 { return s.Goroutines }),
	gauge("memory_heap_alloc_bytes", "Bytes of allocated heap objects.", func(s *collector.Snapshot) float64 { return s.MemStats.HeapAlloc }),
	gauge("memory_heap_inuse_bytes", "Bytes in in-use heap spans.", func(s *collector.Snapshot) float64 { return s.MemStats.HeapInuse }),
	gauge("memory_heap_objects", "Allocated heap objects.", func(s *collector.Snapshot) float64 { return s.MemStats.HeapObjects }),
	gauge("memory_sys_bytes", "Bytes of memory obtained from the OS.", func(s *collector.Snapshot) float64 { return s.MemStats.Sys }),
	counter("memory_alloc_bytes_total", "Bytes allocated for heap objects, ever.", func(s *collector.Snapshot) float64 { return s.MemStats.TotalAlloc }),
	counter("gc_runs_total", "Completed garbage collection cycles.", func(s *collector.Snapshot) float64 { return s.MemStats.NumGC }),
	counter("gc_pause_seconds_total", "Time the garbage collector stopped the world.", func(s *collector.Snapshot) float64 { return s.MemStats.PauseTotalNs / 1e9 }),
	gauge("db_max_open_connections", "Limit of open database connections.", func(s *collector.Snapshot) float64 { return s.DB.MaxOpen }),
	gauge("db_open_connections", "Open database connections, in use or idle.", func(s *collector.Snapshot) float64 { return s.DB.Open }),
	gauge("db_in_use_connections", "Database connections in use.", func(s *collector.Snapshot) float64 { return s.DB.InUse }),
	gauge("db_idle_connections", "Idle database connections.", func(s *collector.Snapshot) float64 { return s.DB.Idle }),
	counter("db_wait_count_total", "Times a query waited for a free connection.", func(s *collector.Snapshot) float64 { return s.DB.WaitCount }),
	counter("db_wait_duration_seconds_total", "Time spent waiting for a free connection.", func(s *collector.Snapshot) float64 { return s.DB.WaitDurationSeconds }),
	counter("db_acquire_timeouts_total", "Waits for a connection that gave up: the pool exhausted or the database gone.", func(s *collector.Snapshot) float64 { return s.DB.AcquireTimeouts }),
	counter("db_tx_retries_total", "Transactions run again after a deadlock or serialization failure.", func(s *collector.Snapshot) float64 { return s.DB.TxRetries }),
}

var (
	upDesc = prometheus.NewDesc(Namespace+"_up",
		"1 when the last collection from the API succeeded, 0 when it failed; other figures keep their last collected values.", nil, nil)
	readyDesc = prometheus.NewDesc(Namespace+"_ready",
		"1 when the API said it was ready (its database answers) at the last collection.", nil, nil)
	failuresDesc = prometheus.NewDesc(Namespace+"_collect_failures_total",
		"Collections from the API that failed.", nil, nil)
	buildDesc = prometheus.NewDesc(Namespace+"_build_info",
		"Always 1; the version label is the API's build.", []string{"version"}, nil)
	latencyDesc = prometheus.NewDesc(Namespace+"_request_duration_seconds",
		"Time the API took to handle a request.", nil, nil)
)

// Publisher holds the last Snapshot and serves it. It implements
// prometheus.Collector, so values are read when Prometheus scrapes, never
// stored twice.
type Publisher struct {
	reg       *prometheus.Registry
	readiness bool

	mu       sync.Mutex
	last     collector.Snapshot
	have     bool // a collection has succeeded
	up       bool
	failures uint64
}

// Config says what the collector asks the API besides its figures.
type Config struct {
	// Readiness is whether the collector asks the API's readiness: if not,
	// no sales_api_ready is served, rather than a 0 that would say the
	// database is down.
	Readiness bool
}

// New returns a Publisher with nothing collected yet: it serves up 0.
func New(cfg Config) *Publisher {
	p := &Publisher{reg: prometheus.NewRegistry(), readiness: cfg.Readiness}
	p.reg.MustRegister(p)
	return p
}

// Update records the result of one collection. On error the last values
// stay, and up and ready drop to 0.
func (p *Publisher) Update(snap collector.Snapshot, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()

	p.up = err == nil
	if err != nil {
		p.failures++
		p.last.Ready = false
		return
	}
	p.last, p.have = snap, true
}

// Handler serves the metrics in the Prometheus exposition format.
func (p *Publisher) Handler() http.Handler {
	return promhttp.HandlerFor(p.reg, promhttp.HandlerOpts{})
}

// Describe implements prometheus.Collector.
func (p *Publisher) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range metrics {
		ch <- m.desc
	}
	ch <- upDesc
	ch <- readyDesc
	ch <- failuresDesc
	ch <- buildDesc
	ch <- latencyDesc
}

// Collect implements prometheus.Collector.
func (p *Publisher) Collect(ch chan<- prometheus.Metric) {
	p.mu.Lock()
	up, failures, snap, have := p.up, p.failures, p.last, p.have
	p.mu.Unlock()

	ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, boolValue(up))
	ch <- prometheus.MustNewConstMetric(failuresDesc, prometheus.CounterValue, float64(failures))
	if p.readiness {
		ch <- prometheus.MustNewConstMetric(readyDesc, prometheus.GaugeValue, boolValue(have && snap.Ready))
	}
	if !have {
		return
	}

	for _, m := range metrics {
		ch <- prometheus.MustNewConstMetric(m.desc, m.kind, m.value(&snap))
	}
	ch <- prometheus.MustNewConstMetric(buildDesc, prometheus.GaugeValue, 1, snap.Build)
	if h, err := histogram(snap.Latency); err == nil {
		ch <- h
	} else {
		ch <- prometheus.NewInvalidMetric(latencyDesc, err)
	}
}

// histogram reads the API's cumulative buckets, keyed by their bound as text.
func histogram(l collector.Latency) (prometheus.Metric, error) {
	buckets := make(map[float64]uint64, len(l.Buckets))
	for k, n := range l.Buckets {
		b, err := strconv.ParseFloat(k, 64)
		if err != nil {
			return nil, fmt.Errorf("latency bucket bound %q: %w", k, err)
		}
		buckets[b] = n
	}
	return prometheus.NewConstHistogram(latencyDesc, l.Count, l.Sum, buckets)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
