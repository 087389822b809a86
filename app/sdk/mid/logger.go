// Package mid holds the middleware every route of the API runs through:
// logging, error handling, panic recovery, authentication and authorization.
package mid

import (
	"context"
	"net/http"
	"time"

	"github.com/garagesale/service/foundation/logger"
	"github.com/garagesale/service/foundation/web"
)

// Logger logs one line per request when it completes. The line when it
// starts is Debug: at Info, two lines per request cost a busy service a
// tenth of its CPU. The query string is left out: it may carry values a
// user typed.
func Logger(log *logger.Logger) web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (any, error) {
			start := time.Now()
			log.Debug(ctx, "request started", "method", r.Method, "path", r.URL.Path, "remoteaddr", r.RemoteAddr)

			resp, err := next(ctx, r)

			status := web.StatusOf(resp)
			if err != nil {
				status = http.StatusInternalServerError
			}
			log.Info(ctx, "request completed", "method", r.Method, "path", r.URL.Path,
				"statuscode", status, "since", time.Since(start).String(), "remoteaddr", r.RemoteAddr)
			return resp, err
		}
	}
}
