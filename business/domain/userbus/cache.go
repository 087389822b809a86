package userbus

import (
	"context"
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
// replica's cache to drop the user: only a replica cut off from Postgres,
// which can serve no request anyway, answers later.
const CacheSyncTimeout = time.Second

// CacheStore is what a Cache needs of storage.
type CacheStore interface {
	// RegisterListener records session pid as a cache that dropped nothing.
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
	users map[uuid.UUID]User
	max   int

	// gen moves on with every change heard: a read that began before one
	// must not store what it read.
	gen  atomic.Uint64
	live atomic.Bool
	pid  atomic.Uint32
}

// NewCache returns a Cache of at most max users, acknowledging changes in
// store on db, which serves nothing until its listener is live.
func NewCache(max int, db *sqlx.DB, store CacheStore) *Cache {
	return &Cache{db: db, store: store, users: make(map[uuid.UUID]User), max: max}
}

// Changed takes a notification on UsersChanged: it drops the user named
// (everything, for a payload it cannot read) and acknowledges the change.
func (c *Cache) Changed(payload string) {
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
	if seqErr == nil {
		// A failure leaves the writer waiting its bound; the next change
		// acknowledges this one too.
		_ = c.store.AckChange(context.Background(), c.db, c.pid.Load(), seq)
	}
}

// SetLive says whether the listener hears changes, as session pid. Either
// way the cache starts empty: what it held may have missed a change.
func (c *Cache) SetLive(live bool, pid uint32) {
	c.gen.Add(1)
	c.live.Store(false)
	c.mu.Lock()
	clear(c.users)
	c.mu.Unlock()
	if !live {
		return
	}
	if err := c.store.RegisterListener(context.Background(), c.db, pid); err != nil {
		return // serve nothing cached; the listener reconnects on its next failure
	}
	c.pid.Store(pid)
	c.live.Store(true)
}

// Live reports whether the cache is hearing changes, and so serving.
func (c *Cache) Live() bool {
	return c.live.Load()
}

func (c *Cache) get(id uuid.UUID) (User, bool) {
	if !c.live.Load() {
		return User{}, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	usr, ok := c.users[id]
	return usr, ok
}

func (c *Cache) put(usr User, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live.Load() || c.gen.Load() != gen {
		return
	}
	if len(c.users) >= c.max {
		// Rare, and cheaper than bookkeeping for an LRU: start over.
		clear(c.users)
	}
	c.users[usr.ID] = usr
}

// Authenticated returns the user with id, or ErrNotFound, for a request's
// authentication: from the cache while it is live, else from the store.
func (b *Business) Authenticated(ctx context.Context, id uuid.UUID) (User, error) {
	if b.cache == nil {
		return b.QueryByID(ctx, id)
	}
	if usr, ok := b.cache.get(id); ok {
		return usr, nil
	}
	ctx, span := otel.AddSpan(ctx, "userbus.Authenticated")
	defer span.End()

	gen := b.cache.gen.Load()
	usr, err := b.storer.QueryByID(ctx, b.db, id)
	if err != nil {
		return User{}, fmt.Errorf("query user %s: %w", id, err)
	}
	b.cache.put(usr, gen)
	return usr, nil
}

// syncCaches waits until every live replica's cache has dropped change
// seq, for at most CacheSyncTimeout.
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
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}
