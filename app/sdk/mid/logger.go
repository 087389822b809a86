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

// Logger logs the start and end of every request. The query string is left
// out: it may carry values a user typed.
func Logger(log *logger.Logger) web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) web.Encoder {
			start := time.Now()
			log.Info(ctx, "request started", "method", r.Method, "path", r.URL.Path, "remoteaddr", r.RemoteAddr)

			resp := next(ctx, r)

			status := http.StatusOK
			switch v := resp.(type) {
			case nil:
				status = http.StatusNoContent
			case web.HTTPStatuser:
				status = v.HTTPStatus()
			}
			log.Info(ctx, "request completed", "method", r.Method, "path", r.URL.Path,
				"statuscode", status, "since", time.Since(start).String())
			return resp
		}
	}
}
