package saleapp

import (
	"errors"
	"io"
	"sync"
	"time"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/google/uuid"
)

// uploads holds the slots of the uploads running on this replica: at most
// MaxStreams in all, one per user, and, of two or more, the last for an
// ADMIN, so that no users (signup is open) can hold them all.
type uploads struct {
	slots chan struct{}
	mu    sync.Mutex
	users map[uuid.UUID]bool
}

func newUploads(n int) *uploads {
	return &uploads{slots: make(chan struct{}, n), users: map[uuid.UUID]bool{}}
}

// take reserves a slot for user, or returns the error to answer: 429 for
// a user with an upload running, 503 when every slot they may have is
// taken.
func (u *uploads) take(user uuid.UUID, admin bool) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.users[user] {
		return &errs.Error{Code: errs.TooManyRequests, RetryAfter: 5 * time.Second, CloseConnection: true,
			Message: "you have an upload running: one at a time, so wait for its summary"}
	}
	if !admin && cap(u.slots) > 1 && len(u.slots) >= cap(u.slots)-1 {
		e := errs.NewUnavailable("as many uploads as the service takes at once are running (one is kept for an ADMIN): retry later")
		e.CloseConnection = true
		return e
	}
	select {
	case u.slots <- struct{}{}:
	default:
		e := errs.NewUnavailable("as many uploads as the service takes at once are running: retry later")
		e.CloseConnection = true
		return e
	}
	u.users[user] = true
	return nil
}

// release frees user's slot.
func (u *uploads) release(user uuid.UUID) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.users, user)
	<-u.slots
}

// errTooSlow is a body that came slower than the least rate.
var errTooSlow = errors.New("the upload is too slow")

// pacedReader fails with errTooSlow once the body has come slower than
// minRate bytes a second of waiting for it, after grace of waiting: a
// client that trickles a stream would hold a slot for nothing. Only the
// time spent in Read counts, so a slow database (which stops the reading
// while a batch is recorded) is not taken for a slow client.
type pacedReader struct {
	r       io.Reader
	minRate int
	grace   time.Duration
	waited  time.Duration
	n       int64
}

func (p *pacedReader) Read(b []byte) (int, error) {
	start := time.Now()
	n, err := p.r.Read(b)
	p.waited += time.Since(start)
	p.n += int64(n)
	if err == nil && p.minRate > 0 && p.waited > p.grace && float64(p.n) < float64(p.minRate)*p.waited.Seconds() {
		return n, errTooSlow
	}
	return n, err
}
