package mid

import (
	"context"
	"net/http"
	"time"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/metrics"
	"github.com/garagesale/service/foundation/web"
)

// Metrics records every request's latency and outcome in m; a nil m
// records nothing. Inside Errors and outside Panics, it sees the handler's
// own error and tells a recovered panic from any other 5xx. A stream (an
// upload) is counted when it ends, by how it ended: its 200 went out
// first, so a database that failed it, which its answer's last line
// says, would count as a success. Its latency is the time until it began
// to answer, lest minutes-long uploads fill the histogram's top bucket.
func Metrics(m *metrics.Metrics) web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		if m == nil {
			return next
		}
		return func(ctx context.Context, r *http.Request) (any, error) {
			start := time.Now()
			resp, err := next(ctx, r)

			if st, ok := resp.(web.Streamer); ok && err == nil {
				began := time.Since(start)
				return watchedStream{Streamer: st, done: func(ctx context.Context, status int, serr error) {
					m.Request(began, streamStatus(ctx, status, serr), panicked(serr))
				}}, nil
			}

			status := web.StatusOf(resp)
			if err != nil {
				status = errs.Of(err).HTTPStatus()
			}

			m.Request(time.Since(start), status, panicked(err))
			return resp, err
		}
	}
}

// streamStatus is how a stream that began with status ended: status, or
// the status its error would have had as an answer; a client that went
// away is no failure of the service.
func streamStatus(ctx context.Context, status int, err error) int {
	switch {
	case err == nil:
		return status
	case ctx.Err() != nil:
		return errs.ClientClosed.Status()
	}
	return errs.Of(err).HTTPStatus()
}
