package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The load comes from wrk, a program of its own (Debian's wrk package),
// not from this one: a Go generator in this process (vegeta, before) took
// so large a share of the machine's two cores that it, not the servers,
// set the pace of both sides, and the ratios it printed were near 1 (the
// users list read 1.14 of the baseline; wrk read 0.62 of the same two
// servers).

// request is what a scenario sends, every time the same but for a keyed
// one's Idempotency-Key, new each time.
type request struct {
	method, path, body string
	header             http.Header
	keyed              bool
}

func get(path, token string) request {
	return request{method: http.MethodGet, path: path, header: http.Header{"Authorization": {"Bearer " + token}}}
}

func post(path, token, body string) request {
	return request{method: http.MethodPost, path: path, body: body,
		header: http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}}
}

// metrics is one attack's outcome as wrk counts it.
type metrics struct {
	requests uint64
	errors   uint64  // refused, reset or timed out, and answers not 2xx or 3xx
	rate     float64 // answers that were not errors, a second
	p50, p99 time.Duration
}

// script is the Lua that has wrk send req and print its figures as one
// line of JSON. A keyed request builds each request anew, with a key of
// the attack, the thread and a counter: unique across the run.
func script(req request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "wrk.method = %s\nwrk.body = %s\n", lua(req.method), lua(req.body))
	for _, k := range slices.Sorted(maps.Keys(req.header)) {
		fmt.Fprintf(&b, "wrk.headers[%s] = %s\n", lua(k), lua(req.header.Get(k)))
	}
	if req.keyed {
		fmt.Fprintf(&b, `local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
function request()
  n = n + 1
  wrk.headers["Idempotency-Key"] = %s .. "-" .. tid .. "-" .. n
  return wrk.format()
end
`, lua(uuid.NewString()))
	}
	b.WriteString(`function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests":%d,"duration":%d,"socket":%d,"status":%d,"p50":%d,"p99":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
`)
	return b.String()
}

// lua quotes s as a Lua string. Every byte but printable ASCII, and the
// quote and backslash, is a decimal escape (\ddd), which every Lua reads:
// JSON's \u escapes, which encoding/json gives <, > and &, are not Lua's.
func lua(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			fmt.Fprintf(&b, "\\%03d", c)
			continue
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}

// attack has wrk send req to base for d over conns connections as fast as
// they are answered.
func attack(ctx context.Context, base string, req request, conns int, d time.Duration) (metrics, error) {
	dir, err := os.MkdirTemp("", "load-wrk")
	if err != nil {
		return metrics{}, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "attack.lua")
	if err := os.WriteFile(file, []byte(script(req)), 0o600); err != nil {
		return metrics{}, err
	}
	secs := max(1, int(d.Round(time.Second)/time.Second))
	cmd := exec.CommandContext(ctx, "wrk", "--threads", strconv.Itoa(min(2, conns)), "--connections", strconv.Itoa(conns),
		"--duration", strconv.Itoa(secs)+"s", "--timeout", "30s", "--script", file, base+req.path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if errors.Is(err, exec.ErrNotFound) {
		return metrics{}, errors.New("wrk is not installed: apt-get install wrk (the load comes from it, outside this process)")
	}
	if err != nil {
		return metrics{}, fmt.Errorf("wrk: %w\n%s%s", err, out, stderr.Bytes())
	}
	_, line, ok := bytes.Cut(out, []byte("WRK "))
	if !ok {
		return metrics{}, fmt.Errorf("wrk printed no figures:\n%s", out)
	}
	var w struct {
		Requests, Duration, Socket, Status, P50, P99 uint64
	}
	if err := json.NewDecoder(bytes.NewReader(line)).Decode(&w); err != nil {
		return metrics{}, fmt.Errorf("wrk's figures: %w", err)
	}
	m := metrics{requests: w.Requests, errors: min(w.Requests, w.Socket+w.Status),
		p50: time.Duration(w.P50) * time.Microsecond, p99: time.Duration(w.P99) * time.Microsecond}
	if w.Duration > 0 {
		m.rate = float64(m.requests-m.errors) / (float64(w.Duration) / 1e6)
	}
	return m, nil
}
