package mid

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/foundation/web"
)

// ReadBody reads a request's JSON body whole (web.ReadAhead) before the
// request takes one of Shed's slots: a client that sends its body slowly
// then holds a reading slot, not one of the slots every request needs,
// which 500 such clients held for the whole read timeout, leaving every
// other request a 503. At most limit bodies are read at once (each at
// most web.MaxBodyBytes, so what they hold is bounded); past it the
// answer is 503 with Retry-After, and requests without a body to read go
// on. route.Table runs it after the caller's check, so no one without a
// token makes the service read a body for a route that needs one, and a
// public route's from a limit of its own. A body that does not arrive
// whole (cut short, too slow) is answered here, as web.Decode would.
// limit <= 0 reads every body with no bound.
func ReadBody(limit int) web.MidFunc {
	var slots chan struct{}
	if limit > 0 {
		slots = make(chan struct{}, limit)
	}
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (any, error) {
			if !web.BodyToRead(r) {
				return next(ctx, r)
			}
			if slots != nil {
				select {
				case slots <- struct{}{}:
				default:
					return nil, errs.NewUnavailable("the service is reading as many request bodies as it takes at once: retry later")
				}
				err := web.ReadAhead(r)
				<-slots
				if err != nil {
					return nil, err
				}
			} else if err := web.ReadAhead(r); err != nil {
				return nil, err
			}
			return next(ctx, r)
		}
	}
}
