package mid

import (
	"context"
	"net/http"
	"time"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/web"
)

// Deadline gives every request work to do its work: then its queries give
// up and the client gets 503 unavailable, well before the server's write
// timeout would close the connection unanswered. A COMMIT already sent may
// take commitGrace longer (sqldb.WithCommitDeadline), so that work which
// committed is answered as a success. work <= 0 sets no deadline.
func Deadline(work, commitGrace time.Duration) web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		if work <= 0 {
			return next
		}
		return func(ctx context.Context, r *http.Request) (any, error) {
			ctx, cancel := context.WithTimeout(ctx, work)
			defer cancel()
			if commitGrace > 0 {
				deadline, _ := ctx.Deadline()
				ctx = sqldb.WithCommitDeadline(ctx, deadline.Add(commitGrace))
			}
			return next(ctx, r.WithContext(ctx))
		}
	}
}

// Shed answers 503 unavailable, with Retry-After, to a request that
// arrives while limit others are in flight, instead of queueing it: past
// that point more concurrency only lengthens every request's wait. One
// Shed is one limit shared by every route it wraps; limit <= 0 sheds
// nothing.
func Shed(limit int) web.MidFunc {
	if limit <= 0 {
		return func(next web.HandlerFunc) web.HandlerFunc { return next }
	}
	slots := make(chan struct{}, limit)
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (any, error) {
			select {
			case slots <- struct{}{}:
			default:
				return nil, errs.NewUnavailable("the service is at capacity: retry later")
			}
			defer func() { <-slots }()
			return next(ctx, r)
		}
	}
}
