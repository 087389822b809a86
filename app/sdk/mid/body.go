package mid

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/uuid"
	"golang.org/x/sync/semaphore"
)

// Bodies bounds the request bodies ReadBody reads ahead. Zero fields set
// no bound.
type Bodies struct {
	// Limit is how many bodies are read at once.
	Limit int
	// PerCaller is how many of them one authenticated caller's may be:
	// one account's slow bodies must not fill them all.
	PerCaller int
	// Bytes is how many bytes of bodies are held at once, being read or
	// handled (at least web.MaxBodyBytes and one, so that any body can be
	// read): what a body holds is its bytes received, not its length
	// declared, so a client that sends slowly holds little. With a Limit,
	// a body's first SmallBody bytes are not counted here.
	Bytes int64
}

// SmallBody is how much of each body is read from a reserve of its own
// place among the Limit read at once, not from the Bytes shared by all:
// the requests of the API are small JSON, and large bodies held stalled
// by a few accounts (four each) filled the shared bytes and turned away
// every write of every caller, however small. Those now fill them for
// large bodies alone. It costs SmallBody more memory for each body being
// read (Limit) or handled (Shed's slots) at most.
const SmallBody = 8 << 10

// ReadBody reads a request's JSON body whole (web.ReadAhead) before the
// request takes one of Shed's slots: a client that sends its body slowly
// then holds a reading slot, not one of the slots every request needs,
// which 500 such clients held for the whole read timeout, leaving every
// other request a 503. What the bodies hold is bounded as b says; past a
// bound the answer is 503 with Retry-After, and requests without a body
// to read go on. route.Table runs it after the caller's check, so no one
// without a token makes the service read a body for a route that needs
// one, and a public route's from bounds of its own. A body that does not
// arrive whole (cut short, too slow) is answered here, as web.Decode
// would.
func ReadBody(b Bodies) web.MidFunc {
	var slots chan struct{}
	if b.Limit > 0 {
		slots = make(chan struct{}, b.Limit)
	}
	var held *semaphore.Weighted
	if b.Bytes > 0 {
		held = semaphore.NewWeighted(max(b.Bytes, web.MaxBodyBytes+1))
	}
	var mu sync.Mutex
	reading := map[uuid.UUID]int{}

	// Each refusal closes the connection: net/http would otherwise read
	// what is left of the body, a slow one's for the whole read timeout,
	// before it sent the answer.
	unavailable := func(msg string) error {
		e := errs.NewUnavailable(msg)
		e.CloseConnection = true
		return e
	}
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (any, error) {
			if !web.BodyToRead(r) {
				return next(ctx, r)
			}
			counted := &budgeted{ReadCloser: r.Body, sem: held}
			if slots != nil {
				counted.free = SmallBody
			}
			// The bytes stay held while the handler works on them.
			defer counted.release()
			err := func() error {
				if slots != nil {
					select {
					case slots <- struct{}{}:
						defer func() { <-slots }()
					default:
						return unavailable("the service is reading as many request bodies as it takes at once: retry later")
					}
				}
				if caller := ActorID(ctx); b.PerCaller > 0 && caller != uuid.Nil {
					mu.Lock()
					full := reading[caller] >= b.PerCaller
					if !full {
						reading[caller]++
					}
					mu.Unlock()
					if full {
						// The caller's own doing, as an upload's second
						// stream is: a 429, not a 503 that counts against
						// the service.
						return &errs.Error{Code: errs.TooManyRequests, RetryAfter: 5 * time.Second, CloseConnection: true,
							Message: "you are sending as many request bodies at once as one caller may: wait for their answers"}
					}
					defer func() {
						mu.Lock()
						if reading[caller]--; reading[caller] == 0 {
							delete(reading, caller)
						}
						mu.Unlock()
					}()
				}
				if held != nil {
					r.Body = counted
				}
				err := web.ReadAhead(r)
				if errors.Is(err, errBodyBudget) {
					return unavailable("the service holds as many request bodies as it takes at once: retry later")
				}
				return err
			}()
			if err != nil {
				return nil, err
			}
			return next(ctx, r)
		}
	}
}

// errBodyBudget is a body read past the bytes bodies may hold at once.
var errBodyBudget = errors.New("request bodies hold all the memory they may")

// budgeted counts the bytes read from a body against sem, as they come,
// once its free bytes are used.
type budgeted struct {
	io.ReadCloser
	sem  *semaphore.Weighted
	free int64
	held int64
}

func (b *budgeted) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 && b.sem != nil {
		take := int64(n) - min(b.free, int64(n))
		b.free -= int64(n) - take
		if take > 0 && !b.sem.TryAcquire(take) {
			return 0, errBodyBudget
		}
		b.held += take
	}
	return n, err
}

func (b *budgeted) release() {
	if b.held > 0 {
		b.sem.Release(b.held)
		b.held = 0
	}
}
