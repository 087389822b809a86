package mid

import (
	"context"
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

// Panics turns a panic in a handler into an internal error, so one bad
// request never takes the service down.
func Panics() web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (resp any, err error) {
			defer func() {
				if rec := recover(); rec != nil {
					resp, err = nil, errs.New(errs.Internal, &panicError{value: rec, stack: string(debug.Stack())})
				}
			}()
			return next(ctx, r)
		}
	}
}
