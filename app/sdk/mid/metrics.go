package mid

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/metrics"
	"github.com/garagesale/service/foundation/web"
)

// Metrics records every request's latency and outcome in m; a nil m
// records nothing. Inside Errors and outside Panics, it sees the handler's
// own error and tells a recovered panic from any other 5xx.
func Metrics(m *metrics.Metrics) web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		if m == nil {
			return next
		}
		return func(ctx context.Context, r *http.Request) (any, error) {
			start := time.Now()
			resp, err := next(ctx, r)

			status := web.StatusOf(resp)
			panicked := false
			if err != nil {
				e := errs.Of(err)
				status = e.HTTPStatus()
				var p *panicError
				panicked = errors.As(e.Cause, &p)
			}

			m.Request(time.Since(start), status, panicked)
			return resp, err
		}
	}
}
