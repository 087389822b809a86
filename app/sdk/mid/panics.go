package mid

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/foundation/web"
)

// panicError is a recovered panic; its stack is logged apart from the
// message.
type panicError struct {
	value any
	stack string
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// Panics turns a panic in a handler, or in the stream it answers with,
// into an internal error, so one bad request never takes the service
// down, and the metrics and the log tell it from other failures.
func Panics() web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (resp any, err error) {
			defer func() {
				if rec := recover(); rec != nil {
					resp, err = nil, recovered(rec)
				}
			}()
			resp, err = next(ctx, r)
			if st, ok := resp.(web.Streamer); ok && err == nil {
				// It runs after every middleware has returned.
				return recoveringStream{st}, nil
			}
			return resp, err
		}
	}
}

func recovered(rec any) error {
	return errs.New(errs.Internal, &panicError{value: rec, stack: string(debug.Stack())})
}

// panicOf is the recovered panic err is, or nil.
func panicOf(err error) *panicError {
	var p *panicError
	if err == nil || !errors.As(errs.Of(err).Cause, &p) {
		return nil
	}
	return p
}

// panicked reports whether err is a recovered panic.
func panicked(err error) bool { return panicOf(err) != nil }

// recoveringStream is a stream whose panic ends it as an internal error.
// Its answer began (a 200) before; the client sees it end without the
// last line a stream writes.
type recoveringStream struct{ web.Streamer }

func (s recoveringStream) Stream(ctx context.Context, w http.ResponseWriter) (status int, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			status, err = http.StatusOK, recovered(rec)
		}
	}()
	return s.Streamer.Stream(ctx, w)
}

// Outcome is the stream's, so that the log line still has it.
func (s recoveringStream) Outcome() []any { return outcomeOf(s.Streamer) }
