// Package collector reads the sales-api's expvar variables from its debug
// port.
package collector

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Snapshot is what one collection read: the expvar variables the API
// publishes (app/sdk/metrics) and whether it said it was ready.
type Snapshot struct {
	Build        string   `json:"build"`
	Goroutines   float64  `json:"goroutines"`
	Requests     float64  `json:"requests"`
	Errors       float64  `json:"errors"`
	Unavailable  float64  `json:"unavailable"`
	ClientErrors float64  `json:"client_errors"`
	Throttled    float64  `json:"throttled"`
	Panics       float64  `json:"panics"`
	Latency      Latency  `json:"latency"`
	DB           DB       `json:"db"`
	MemStats     MemStats `json:"memstats"`

	// Ready is the answer of the readiness URL, not an expvar.
	Ready bool `json:"-"`
}

// Latency is the cumulative request latency histogram: Buckets maps an
// upper bound in seconds, as text, to the requests at or under it.
type Latency struct {
	Buckets map[string]uint64 `json:"buckets"`
	Count   uint64            `json:"count"`
	Sum     float64           `json:"sum"`
}

// DB is the connection pool.
type DB struct {
	MaxOpen             float64 `json:"max_open"`
	Open                float64 `json:"open"`
	InUse               float64 `json:"in_use"`
	Idle                float64 `json:"idle"`
	WaitCount           float64 `json:"wait_count"`
	WaitDurationSeconds float64 `json:"wait_duration_seconds"`
	AcquireTimeouts     float64 `json:"acquire_timeouts"`
	TxRetries           float64 `json:"tx_retries"`
}

// MemStats is the part of runtime.MemStats worth a graph.
type MemStats struct {
	Alloc        float64 `json:"Alloc"`
	HeapAlloc    float64 `json:"HeapAlloc"`
	HeapInuse    float64 `json:"HeapInuse"`
	HeapObjects  float64 `json:"HeapObjects"`
	Sys          float64 `json:"Sys"`
	TotalAlloc   float64 `json:"TotalAlloc"`
	NumGC        float64 `json:"NumGC"`
	PauseTotalNs float64 `json:"PauseTotalNs"`
}

// Config says where the API is.
type Config struct {
	// VarsURL is the API's expvar endpoint (http://localhost:3010/debug/vars).
	VarsURL string
	// ReadyURL, when set, is asked for readiness: a 200 is ready.
	ReadyURL string
	// Timeout bounds each request; zero means 2 seconds.
	Timeout time.Duration
}

// Collector reads Snapshots.
type Collector struct {
	cfg    Config
	client *http.Client
}

// New returns a Collector for cfg.
func New(cfg Config) *Collector {
	return &Collector{cfg: cfg, client: &http.Client{Timeout: cmp.Or(cfg.Timeout, 2*time.Second)}}
}

// Collect reads one Snapshot. An error means the API did not answer with
// its variables.
func (c *Collector) Collect(ctx context.Context) (Snapshot, error) {
	url := c.cfg.VarsURL
	resp, err := c.get(ctx, url)
	if err != nil {
		return Snapshot{}, fmt.Errorf("collect %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Snapshot{}, fmt.Errorf("collect %s: status %s", url, resp.Status)
	}
	var snap Snapshot
	if err := json.NewDecoder(resp.Body).Decode(&snap); err != nil {
		return Snapshot{}, fmt.Errorf("collect %s: decode: %w", url, err)
	}
	if c.cfg.ReadyURL != "" {
		snap.Ready = c.ready(ctx)
	}
	return snap, nil
}

// ready reports whether the readiness URL answers 200; any failure to ask
// is "not ready", which is what an alert wants to know.
func (c *Collector) ready(ctx context.Context) bool {
	resp, err := c.get(ctx, c.cfg.ReadyURL)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	// Drain so the connection is reused.
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK
}

func (c *Collector) get(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return c.client.Do(req)
}
