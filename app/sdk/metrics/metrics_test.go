package metrics

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLatencyIsCumulative(t *testing.T) {
	tests := []struct {
		name      string
		durations []time.Duration
		want      Latency
	}{
		{
			name: "no requests",
			want: Latency{Buckets: buckets(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)},
		},
		{
			name:      "one fast, one on a bound, one slower than every bound",
			durations: []time.Duration{time.Millisecond, 100 * time.Millisecond, 11 * time.Second},
			want: Latency{
				Buckets: buckets(1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2),
				Count:   3,
				Sum:     11.101,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			for _, d := range tt.durations {
				m.Request(d, http.StatusOK, false)
			}
			if diff := cmp.Diff(tt.want, m.Latency()); diff != "" {
				t.Errorf("latency (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCounters(t *testing.T) {
	m := New()
	m.Request(time.Millisecond, http.StatusOK, false)
	m.Request(time.Millisecond, http.StatusInternalServerError, false)
	m.Request(time.Millisecond, http.StatusInternalServerError, true)
	m.Request(time.Millisecond, http.StatusServiceUnavailable, false)
	m.Request(time.Millisecond, http.StatusNotFound, false)
	m.Request(time.Millisecond, http.StatusTooManyRequests, false)

	want := Counters{Requests: 6, Errors: 3, Unavailable: 1, ClientErrors: 2, Throttled: 1, Panics: 1}
	if diff := cmp.Diff(want, m.Counters()); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}
}

func buckets(counts ...uint64) map[string]uint64 {
	out := map[string]uint64{}
	for i, b := range Buckets {
		out[FormatBound(b)] = counts[i]
	}
	return out
}

func BenchmarkRequest(b *testing.B) {
	m := New()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Request(30*time.Millisecond, http.StatusOK, false)
		}
	})
}
