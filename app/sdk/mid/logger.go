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

			// A stream (an upload) is answered after this returns: its
			// line is written when it ends, with how long it ran and how.
			if st, ok := resp.(web.Streamer); ok && err == nil {
				return watchedStream{Streamer: st, done: func(ctx context.Context, status int, serr error) {
					args := []any{"method", r.Method, "path", r.URL.Path, "statuscode", status,
						"since", time.Since(start).String(), "remoteaddr", r.RemoteAddr}
					args = append(args, outcomeOf(st)...)
					if serr != nil {
						args = append(args, "error", serr.Error())
					}
					if p := panicOf(serr); p != nil {
						log.Error(ctx, "request completed", append(args, "stack", p.stack)...)
						return
					}
					log.Info(ctx, "request completed", args...)
				}}, nil
			}

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

// Outcomer is a stream that says, once it has ended, how it went, as
// key-value pairs for its log line (lines read, recorded, why it stopped).
type Outcomer interface {
	Outcome() []any
}

// watchedStream runs a stream, then done with its status and error.
type watchedStream struct {
	web.Streamer
	done func(ctx context.Context, status int, err error)
}

func (l watchedStream) Stream(ctx context.Context, w http.ResponseWriter) (int, error) {
	status, err := l.Streamer.Stream(ctx, w)
	l.done(ctx, status, err)
	return status, err
}

// Outcome is the watched stream's, so that another middleware's watch
// still sees it.
func (l watchedStream) Outcome() []any { return outcomeOf(l.Streamer) }

// outcomeOf is st's outcome, when it tells one.
func outcomeOf(st web.Streamer) []any {
	if o, ok := st.(Outcomer); ok {
		return o.Outcome()
	}
	return nil
}
