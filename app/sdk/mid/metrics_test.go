package mid

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/metrics"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/go-cmp/cmp"
)

type okBody struct{}

func TestMetricsCountsOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		handler web.HandlerFunc
		want    metrics.Counters
	}{
		{
			name:    "success",
			handler: func(context.Context, *http.Request) (any, error) { return okBody{}, nil },
			want:    metrics.Counters{Requests: 1},
		},
		{
			name:    "no content",
			handler: func(context.Context, *http.Request) (any, error) { return nil, nil },
			want:    metrics.Counters{Requests: 1},
		},
		{
			name: "client error is no server error",
			handler: func(context.Context, *http.Request) (any, error) {
				return nil, errs.Newf(errs.NotFound, "no such user")
			},
			want: metrics.Counters{Requests: 1, ClientErrors: 1},
		},
		{
			name: "throttled",
			handler: func(context.Context, *http.Request) (any, error) {
				return nil, &errs.Error{Code: errs.TooManyRequests, Message: "slow down"}
			},
			want: metrics.Counters{Requests: 1, ClientErrors: 1, Throttled: 1},
		},
		{
			name: "internal error",
			handler: func(context.Context, *http.Request) (any, error) {
				return nil, errs.New(errs.Internal, errors.New("disk on fire"))
			},
			want: metrics.Counters{Requests: 1, Errors: 1},
		},
		{
			name: "plain error is internal",
			handler: func(context.Context, *http.Request) (any, error) {
				return nil, errors.New("boom")
			},
			want: metrics.Counters{Requests: 1, Errors: 1},
		},
		{
			name: "panic",
			handler: func(context.Context, *http.Request) (any, error) {
				panic("nil map")
			},
			want: metrics.Counters{Requests: 1, Errors: 1, Panics: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := metrics.New()
			h := Metrics(m)(Panics()(tt.handler))
			h(context.Background(), httptest.NewRequest(http.MethodGet, "/", nil))

			if diff := cmp.Diff(tt.want, m.Counters()); diff != "" {
				t.Errorf("counters (-want +got):\n%s", diff)
			}
			if got := m.Latency().Count; got != 1 {
				t.Errorf("latency count: got %d, want 1", got)
			}
		})
	}
}

func BenchmarkMetrics(b *testing.B) {
	m := metrics.New()
	h := Metrics(m)(func(context.Context, *http.Request) (any, error) { return okBody{}, nil })
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	ctx := context.Background()

	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h(ctx, r)
		}
	})
}
