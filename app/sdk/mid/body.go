package mid

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/garagesale/service/foundation/web"
)

// ReadBody reads a request's body whole, up to web.MaxBodyBytes, before
// the request takes one of Shed's slots: a client that sends its body
// slowly then holds a connection and a goroutine, which cost the service
// nothing it is short of, and not a slot, which 500 such clients held
// for the whole read timeout and left every other request a 503. The
// handler's web.Decode reads the body from memory. A body that does not
// arrive whole (cut short, too slow) is answered here, as Decode would
// (web.BodyReadError); one whose Content-Length is over the limit is left
// unread, for Decode to refuse before a byte of it arrives.
func ReadBody() web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (any, error) {
			if r.Body == nil || r.Body == http.NoBody || r.ContentLength > web.MaxBodyBytes {
				return next(ctx, r)
			}
			// A byte more than the limit, so Decode's own limit sees a body
			// that is too large.
			data, err := io.ReadAll(io.LimitReader(r.Body, web.MaxBodyBytes+1))
			if err != nil {
				// net/http has cancelled the request with its connection:
				// the answer is the body's 400 or 408, now.
				return nil, &web.BodyReadError{Err: err}
			}
			r.Body = readBody{Reader: bytes.NewReader(data), body: r.Body}
			return next(ctx, r)
		}
	}
}

// readBody is a body read ahead, closed as the request's own.
type readBody struct {
	*bytes.Reader
	body io.Closer
}

func (b readBody) Close() error { return b.body.Close() }
