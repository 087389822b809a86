package mid

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/metrics"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/go-cmp/cmp"
)

type okBody struct{}

func TestMetricsCountsOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		handler web.HandlerFunc
		gone    bool // the client goes before the answer ends
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
		{
			name:    "a stream that ends well",
			handler: streams(nil),
			want:    metrics.Counters{Requests: 1},
		},
		{
			// Its 200 went out first; the database failed it later.
			name:    "a stream the database stopped",
			handler: streams(fmt.Errorf("record a batch: %w", sqldb.ErrDBUnavailable)),
			want:    metrics.Counters{Requests: 1, Errors: 1, Unavailable: 1},
		},
		{
			name:    "a stream whose answer its client stopped reading",
			handler: streams(&errs.Error{Code: errs.ClientClosed, Message: "the client stopped reading the answer"}),
			want:    metrics.Counters{Requests: 1, ClientErrors: 1},
		},
		{
			name:    "a stream that panics",
			handler: func(context.Context, *http.Request) (any, error) { return stream{panics: true}, nil },
			want:    metrics.Counters{Requests: 1, Errors: 1, Panics: 1},
		},
		{
			name:    "a stream whose client went",
			handler: streams(errors.New("write the answer: broken pipe")),
			gone:    true,
			want:    metrics.Counters{Requests: 1, ClientErrors: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := metrics.New()
			h := Metrics(m)(Panics()(tt.handler))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			resp, _ := h(ctx, httptest.NewRequest(http.MethodGet, "/", nil))
			if tt.gone {
				cancel()
			}
			// As web answers: a stream runs after the middleware returns.
			_, _ = web.Respond(ctx, httptest.NewRecorder(), resp)

			if diff := cmp.Diff(tt.want, m.Counters()); diff != "" {
				t.Errorf("counters (-want +got):\n%s", diff)
			}
			if got := m.Latency().Count; got != 1 {
				t.Errorf("latency count: got %d, want 1", got)
			}
		})
	}
}

// streams is a handler whose answer is a stream that answers 200, then
// ends with err.
func streams(err error) web.HandlerFunc {
	return func(context.Context, *http.Request) (any, error) { return stream{err: err}, nil }
}

type stream struct {
	err    error
	panics bool // after its 200
}

func (s stream) Stream(_ context.Context, w http.ResponseWriter) (int, error) {
	w.WriteHeader(http.StatusOK)
	if s.panics {
		panic("nil map")
	}
	return http.StatusOK, s.err
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
