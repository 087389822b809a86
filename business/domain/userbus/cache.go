package userbus

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/garagesale/service/foundation/otel"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// UsersChanged is the Postgres channel a trigger on users tells every
// change on, as "NUMBER:USER_ID" (the number from a sequence).
const UsersChanged = "users_changed"

// CacheSyncTimeout bounds how long a change to a user waits for every
// replica's cache to drop the user: only a replica cut off from Postgres
// answers later, and it stops serving from its cache by CacheStaleAfter.
const CacheSyncTimeout = time.Second

// A listener proves every CacheHeartbeat that it hears: it sends itself a
// notification through the pool, as any change is sent. A cache whose
// listener has not heard its own for CacheStaleAfter serves nothing (a
// connection whose packets are dropped looks alive for minutes), and the
// listener starts over after CacheReconnectAfter.
const (
	CacheHeartbeat      = time.Second
	CacheStaleAfter     = 3 * time.Second
	CacheReconnectAfter = 10 * time.Second
)

// heartbeatPrefix starts the payload of a listener's heartbeat.
const heartbeatPrefix = "heartbeat:"

// NotAcknowledgedError is a change made, committed, that not every live
// replica's cache acknowledged within CacheSyncTimeout: those replicas may
// serve the user as they were until they stop serving from their caches,
// CacheStaleAfter at most. The caller reports it; it is not a failure.
type NotAcknowledgedError struct {
	Behind int
}

func (e *NotAcknowledgedError) Error() string {
	return fmt.Sprintf("%d replica(s) did not acknowledge the change within %s; they stop serving cached users within %s", e.Behind, CacheSyncTimeout, CacheStaleAfter)
}

// CacheStore is what a Cache needs of storage.
type CacheStore interface {
	// RegisterListener records session pid as a cache that has dropped
	// every change numbered so far: its LISTEN is in place and it serves
	// nothing until it hears a heartbeat sent after this.
	RegisterListener(ctx context.Context, db sqlx.ExtContext, pid uint32) error
	// AckChange records that session pid's cache dropped changes up to seq.
	AckChange(ctx context.Context, db sqlx.ExtContext, pid uint32, seq int64) error
}

// Cache keeps the users that authenticate, so a request need not read its
// caller's row. Every replica hears each change to a user (LISTEN on
// UsersChanged), drops the user and records that it has, and the change
// answers only once every live replica has: a disabled user or a revoked
// token is refused on the very next request, everywhere, with no
// time-to-live. A replica that cannot hear serves nothing from its cache.
type Cache struct {
	db    *sqlx.DB
	store CacheStore
	mu    sync.RWMutex
	users map[uuid.UUID]entry
	max   int

	// gen moves on with every change heard: a read that began before one
	// must not store what it read.
	gen  atomic.Uint64
	live atomic.Bool
	pid  atomic.Uint32
	// heard is when the listener last heard its own heartbeat (unix ns);
	// listening when its LISTEN was last in place.
	heard     atomic.Int64
	listening atomic.Int64
	// sent counts the heartbeats the pool took since the listener started.
	sent atomic.Int64

	// acks is the live session's acknowledger: one acknowledgement stands
	// for every change before it, so a bulk of changes (an UPDATE of every
	// user) costs a few, not one each on the listener's own loop, which
	// would fall behind its heartbeat.
	acks atomic.Pointer[acker]
}

// An acker acknowledges, as one listener session (pid), the greatest
// change it has dropped (heard) whenever woken, until stopped. Its state
// is the session's own: an acker of an ended session, in the middle of an
// acknowledgement, can acknowledge nothing its successor heard.
type acker struct {
	pid   uint32
	heard atomic.Int64
	wake  chan struct{}
	stop  chan struct{}
}

// NewCache returns a Cache of at most max users, acknowledging changes in
// store on db, which serves nothing until its listener is live.
func NewCache(max int, db *sqlx.DB, store CacheStore) *Cache {
	return &Cache{db: db, store: store, users: make(map[uuid.UUID]entry), max: max}
}

// An entry is a user as last read, or the word that there is none: the
// tokens of a deleted user stay validly signed until they expire, and
// each would read the database again before any limit. A row that comes
// back under the id (a restore, plain SQL) is told as any change is, and
// drops the entry.
type entry struct {
	user User
	gone bool
}

// Changed takes a notification on UsersChanged: it drops the user named
// (everything, for a payload it cannot read), then has the change
// acknowledged.
func (c *Cache) Changed(payload string) {
	if beat, ok := strings.CutPrefix(payload, heartbeatPrefix); ok {
		if beat == strconv.FormatUint(uint64(c.pid.Load()), 10) {
			c.heard.Store(time.Now().UnixNano())
		}
		return
	}
	c.gen.Add(1)
	seqText, idText, _ := strings.Cut(payload, ":")
	seq, seqErr := strconv.ParseInt(seqText, 10, 64)
	id, idErr := uuid.Parse(idText)
	c.mu.Lock()
	if seqErr != nil || idErr != nil {
		clear(c.users)
	} else {
		delete(c.users, id)
	}
	c.mu.Unlock()
	if a := c.acks.Load(); seqErr == nil && a != nil {
		// Only the listener's loop writes it.
		if seq > a.heard.Load() {
			a.heard.Store(seq)
		}
		select {
		case a.wake <- struct{}{}:
		default: // the acker is awake already, and reads heard after
		}
	}
}

// run acknowledges until a is stopped. A failure leaves the writers
// waiting their bound; the next change acknowledges this one too.
func (a *acker) run(c *Cache) {
	var acked int64
	for {
		select {
		case <-a.stop:
			return
		case <-a.wake:
		}
		select {
		case <-a.stop: // stopped while woken: the session is over
			return
		default:
		}
		if seq := a.heard.Load(); seq > acked {
			ctx, cancel := context.WithTimeout(context.Background(), CacheSyncTimeout)
			if c.store.AckChange(ctx, c.db, a.pid, seq) == nil {
				acked = seq
			}
			cancel()
		}
	}
}

// SetLive says whether the listener hears changes, as session pid. Either
// way the cache starts empty: what it held may have missed a change. An
// error is a listener that could not be registered: it must start over.
func (c *Cache) SetLive(live bool, pid uint32) error {
	c.gen.Add(1)
	c.live.Store(false)
	c.heard.Store(0)
	c.listening.Store(0)
	c.sent.Store(0)
	c.mu.Lock()
	clear(c.users)
	c.mu.Unlock()
	if a := c.acks.Swap(nil); a != nil {
		close(a.stop)
	}
	if !live {
		return nil
	}
	if err := c.store.RegisterListener(context.Background(), c.db, pid); err != nil {
		return fmt.Errorf("register the user cache's listener: %w", err)
	}
	c.pid.Store(pid)
	a := &acker{pid: pid, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	c.acks.Store(a)
	go a.run(c)
	c.listening.Store(time.Now().UnixNano())
	c.live.Store(true)
	return nil
}

// ErrNoDelivery is a listener whose LISTEN is in place yet hears not even
// its own notifications.
var ErrNoDelivery = errors.New("the user cache's LISTEN connection receives no notifications, not even its own: " +
	"a proxy that pools transactions (PgBouncer with pool_mode=transaction) takes LISTEN and never delivers, so the cache would never learn of a change. " +
	"Connect the API to Postgres directly or through session pooling, or run it without the cache (SALES_AUTH_USER_CACHE_SIZE=0)")

// AwaitLive waits until the cache is live, for at most wait. A listener
// connected for CacheStaleAfter that has not heard one of the heartbeats
// the pool took is ErrNoDelivery; a database not reachable, or too busy to
// take a heartbeat, within wait is not an error (the cache serves nothing
// until it is).
func (c *Cache) AwaitLive(ctx context.Context, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for !c.Live() {
		if since := c.listening.Load(); since != 0 && c.sent.Load() > 1 && time.Since(time.Unix(0, since)) > CacheStaleAfter {
			return ErrNoDelivery
		}
		if time.Now().After(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// ErrChangesWentBack is a database whose change numbers are below those
// its listener heard: it was restored in place, or its sequence reset.
var ErrChangesWentBack = errors.New("the database's user change numbers went back below those heard (restored in place?): " +
	"the user cache starts over")

// Beat sends the listener's heartbeat through the pool: the notification
// travels as a change's would. It sends none, and is ErrChangesWentBack,
// when the database's change numbers went back below those heard: its
// rows were replaced without a notification of each (pg_restore --clean
// under a running API), so every cached user may be another's now, and
// the numbers heard would acknowledge changes to come, or none.
func (c *Cache) Beat(ctx context.Context) error {
	var heard int64
	if a := c.acks.Load(); a != nil {
		heard = a.heard.Load()
	}
	var sent bool
	err := c.db.QueryRowContext(ctx, `SELECT count(pg_notify($1, $2)) > 0 FROM users_change_seq WHERE last_value >= $3`,
		UsersChanged, heartbeatPrefix+strconv.FormatUint(uint64(c.pid.Load()), 10), heard).Scan(&sent)
	switch {
	case err != nil:
		return err
	case !sent:
		return ErrChangesWentBack
	}
	c.sent.Add(1)
	return nil
}

// Heard is when the listener last heard its own heartbeat; zero before
// the first.
func (c *Cache) Heard() time.Time {
	ns := c.heard.Load()
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// Live reports whether the cache is hearing changes, and so serving: its
// listener is connected and heard its heartbeat within CacheStaleAfter.
func (c *Cache) Live() bool {
	ns := c.heard.Load()
	return c.live.Load() && ns != 0 && time.Since(time.Unix(0, ns)) < CacheStaleAfter
}

func (c *Cache) get(id uuid.UUID) (entry, bool) {
	if !c.Live() {
		return entry{}, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.users[id]
	return e, ok
}

func (c *Cache) put(id uuid.UUID, e entry, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.Live() || c.gen.Load() != gen {
		return
	}
	if len(c.users) >= c.max {
		// Rare, and cheaper than bookkeeping for an LRU: start over.
		clear(c.users)
	}
	c.users[id] = e
}

// Authenticated returns the user with id, or ErrNotFound, for a request's
// authentication: from the cache while it is live, else from the store.
func (b *Business) Authenticated(ctx context.Context, id uuid.UUID) (User, error) {
	if b.cache == nil {
		return b.QueryByID(ctx, id)
	}
	if e, ok := b.cache.get(id); ok {
		if e.gone {
			return User{}, fmt.Errorf("query user %s: %w", id, ErrNotFound)
		}
		return e.user, nil
	}
	ctx, span := otel.AddSpan(ctx, "userbus.Authenticated")
	defer span.End()

	gen := b.cache.gen.Load()
	usr, err := b.storer.QueryByID(ctx, b.db, id)
	switch {
	case errors.Is(err, ErrNotFound):
		b.cache.put(id, entry{gone: true}, gen)
		return User{}, fmt.Errorf("query user %s: %w", id, err)
	case err != nil:
		return User{}, fmt.Errorf("query user %s: %w", id, err)
	}
	b.cache.put(id, entry{user: usr}, gen)
	return usr, nil
}

// settle waits until every live replica's cache has dropped user id, as
// changed by the caller's committed transaction in its change seq.
// Changes are numbered in their transactions and heard in commit order,
// and a listener acknowledges the greatest number it has heard: a change
// numbered after seq that committed before it would be acknowledged
// while seq is still on its way, and the caller answered with the old
// user still cached. So the wait is for a mark sent after the commit,
// which every listener hears after the change; for seq itself only if the
// mark cannot be sent.
func (b *Business) settle(ctx context.Context, id uuid.UUID, seq int64) error {
	mark, err := b.storer.MarkChange(ctx, b.db, id)
	switch {
	case err == nil:
		seq = mark
	case b.log != nil:
		b.log.Warn(ctx, "user caches", "status", "could not mark the change: waiting for its own number", "change", seq, "error", err)
	}
	return b.syncCaches(ctx, seq)
}

// syncCaches waits until every live replica's cache has dropped change
// seq, for at most CacheSyncTimeout; past it, a *NotAcknowledgedError.
func (b *Business) syncCaches(ctx context.Context, seq int64) error {
	deadline := time.Now().Add(CacheSyncTimeout)
	for pause := time.Millisecond; ; pause = min(2*pause, 20*time.Millisecond) {
		behind, err := b.storer.ListenersBehind(ctx, b.db, seq)
		if err != nil {
			return fmt.Errorf("wait for user caches: %w", err)
		}
		if behind == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			if b.log != nil {
				b.log.Warn(ctx, "user caches", "status", "not every replica dropped the change in time", "change", seq, "behind", behind)
			}
			return &NotAcknowledgedError{Behind: behind}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}
