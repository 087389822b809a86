package userbus_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/domain/userbus/stores/userdb"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/types/role"
	"github.com/garagesale/service/foundation/logger"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// countingStore counts the reads of one user.
type countingStore struct {
	userbus.Storer
	reads *atomic.Int64
}

func (s countingStore) QueryByID(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) (userbus.User, error) {
	s.reads.Add(1)
	return s.Storer.QueryByID(ctx, db, id)
}

// countedBus is the user domain by hand, with a cache, over a store that
// counts its reads; the rest as the API builds it.
func countedBus(db *dbtest.Database) (*userbus.Business, *userbus.Cache, *atomic.Int64) {
	reads := new(atomic.Int64)
	cache := userbus.NewCache(100, db.DB, userdb.Store{})
	bus := userbus.NewBusiness(userbus.Config{
		DB:     db.DB,
		Storer: countingStore{Storer: userdb.Store{}, reads: reads},
		Audit:  domain.New(domain.Config{DB: db.DB}).Audit,
		Cache:  cache,
		Log:    db.Log,
	})
	return bus, cache, reads
}

// liveCache is countedBus with its listener running, and live, until the
// test ends.
func liveCache(t *testing.T, db *dbtest.Database) (*userbus.Business, *userbus.Cache, *atomic.Int64) {
	t.Helper()
	bus, cache, reads := countedBus(db)
	go userdb.Listen(t.Context(), db.Pool.ConnConfig(), cache, logger.Discard().Warn)
	waitFor(t, cache.Live)
	return bus, cache, reads
}

// TestCacheFollowsTheDatabase: a cached user is read once; any change to
// the row, by this process or another (here, plain SQL), drops it; while
// the listener is down nothing is served from the cache.
func TestCacheFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	bus, cache, reads := countedBus(db)
	listening, stop := context.WithCancel(ctx)
	go userdb.Listen(listening, db.Pool.ConnConfig(), cache, logger.Discard().Warn)
	waitFor(t, cache.Live)

	usr, err := bus.Create(ctx, uuid.Nil, newUser("Ida", "ida@example.com", role.User))
	if err != nil {
		t.Fatal(err)
	}
	heard(t, db)
	for range 3 {
		if _, err := bus.Authenticated(ctx, usr.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := reads.Load(); n != 1 {
		t.Fatalf("three authentications read the user %d times, want 1", n)
	}

	// A change by anyone: the notification drops the entry.
	if _, err := db.DB.Exec(`UPDATE users SET enabled = false WHERE user_id = $1`, usr.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		got, err := bus.Authenticated(ctx, usr.ID)
		return err == nil && !got.Enabled
	})

	// No listener, no cache.
	stop()
	waitFor(t, func() bool { return !cache.Live() })
	before := reads.Load()
	for range 2 {
		if _, err := bus.Authenticated(ctx, usr.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := reads.Load() - before; n != 2 {
		t.Errorf("with the listener down, two authentications read the user %d times, want 2", n)
	}
}

// TestCacheRemembersDeletedUsers: the tokens of a deleted user stay
// validly signed until they expire; after the first, the cache answers
// them that the user is gone without reading the database again, until
// the row comes back.
func TestCacheRemembersDeletedUsers(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	ctx := t.Context()
	bus, _, reads := liveCache(t, db)

	usr, err := bus.Create(ctx, uuid.Nil, newUser("Ida", "ida@example.com", role.User))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bus.Authenticated(ctx, usr.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DB.Exec(`DELETE FROM users WHERE user_id = $1`, usr.ID); err != nil {
		t.Fatal(err)
	}
	// Once the delete is heard: a read before might be dropped after.
	heard(t, db)
	waitFor(t, func() bool {
		_, err := bus.Authenticated(ctx, usr.ID)
		return errors.Is(err, userbus.ErrNotFound)
	})
	before := reads.Load()
	for range 3 {
		if _, err := bus.Authenticated(ctx, usr.ID); !errors.Is(err, userbus.ErrNotFound) {
			t.Fatalf("authenticated a deleted user: %v, want ErrNotFound", err)
		}
	}
	if n := reads.Load() - before; n != 0 {
		t.Errorf("three authentications of a deleted user read the database %d times, want 0", n)
	}

	// The row back under the same id (a restore): every cache hears it.
	if _, err := db.DB.Exec(`INSERT INTO users (user_id, name, email, roles, password_hash, department, enabled, date_created, date_updated)
		VALUES ($1, 'Ida', 'ida@example.com', '{USER}', '\x00', '', true, now(), now())`, usr.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		_, err := bus.Authenticated(ctx, usr.ID)
		return err == nil
	})
}

// TestCacheStartsOverWhenTheNumbersGoBack: a database restored in place
// under a running cache (pg_restore --clean) replaces users without a
// notification of each, and its change numbers go back: the cache starts
// over, and serves each user as the database now has them. It served the
// users as they were before, for good, and its acknowledgements, of
// numbers above the database's, kept every change waiting its bound.
func TestCacheStartsOverWhenTheNumbersGoBack(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	ctx := t.Context()
	bus, cache, _ := liveCache(t, db)
	usr, err := bus.Create(ctx, uuid.Nil, newUser("Ida", "ida@example.com", role.User))
	if err != nil {
		t.Fatal(err)
	}
	// A change heard after it: the numbers heard pass the first.
	dept := "Toys"
	if _, err := bus.Update(ctx, uuid.Nil, usr.ID, userbus.UpdateUser{Department: &dept}); err != nil {
		t.Fatal(err)
	}
	if _, err := bus.Authenticated(ctx, usr.ID); err != nil {
		t.Fatal(err)
	}

	// As a restore of an earlier dump does: the row replaced unheard, the
	// numbers set back.
	tx := db.DB.MustBegin()
	for _, q := range []string{
		`ALTER TABLE users DISABLE TRIGGER users_changed`,
		`UPDATE users SET enabled = false WHERE user_id = '` + usr.ID.String() + `'`,
		`ALTER TABLE users ENABLE TRIGGER users_changed`,
		`SELECT setval('users_change_seq', 1)`,
	} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		got, err := bus.Authenticated(ctx, usr.ID)
		return err == nil && !got.Enabled
	})
	// And it keeps up again: a change now is acknowledged in time.
	waitFor(t, cache.Live)
	enabled := true
	if _, err := bus.Update(ctx, uuid.Nil, usr.ID, userbus.UpdateUser{Enabled: &enabled}); err != nil {
		t.Errorf("a change after the restore: %v", err)
	}
}

// heard waits until every listener has heard the last change to users
// (the insert of a user is one): a read before might be dropped after.
func heard(t *testing.T, db *dbtest.Database) {
	t.Helper()
	var seq int64
	if err := db.DB.Get(&seq, `SELECT last_value FROM users_change_seq`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		behind, err := (userdb.Store{}).ListenersBehind(context.Background(), db.DB, seq)
		return err == nil && behind == 0
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestAChangeWaitsForItsOwnNotification: a change answers only once every
// cache has dropped its user, even when another change, numbered after
// it, commits first and is acknowledged first. Waiting for the change's
// own number, the writer took that acknowledgement for its own and
// answered while its notification, held up here, was still to come: the
// disabled user served from the cache.
func TestAChangeWaitsForItsOwnNotification(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	cache := userbus.NewCache(100, db.DB, userdb.Store{})
	overtaking := &overtakingStore{Storer: userdb.Store{}, db: db.DB}
	bus := userbus.NewBusiness(userbus.Config{
		DB:     db.DB,
		Storer: overtaking,
		Audit:  domain.New(domain.Config{DB: db.DB}).Audit,
		Cache:  cache,
		Log:    db.Log,
	})
	ida, err := bus.Create(ctx, uuid.Nil, newUser("Ida", "ida@example.com", role.User))
	if err != nil {
		t.Fatal(err)
	}
	bo, err := bus.Create(ctx, uuid.Nil, newUser("Bo", "bo@example.com", role.User))
	if err != nil {
		t.Fatal(err)
	}
	slow := &slowCache{Cache: cache, id: ida.ID.String()}
	go userdb.Listen(ctx, db.Pool.ConnConfig(), slow, logger.Discard().Warn)
	waitFor(t, cache.Live)
	if _, err := bus.Authenticated(ctx, ida.ID); err != nil {
		t.Fatal(err)
	}

	overtaking.other = bo.ID
	overtaking.armed.Store(true)
	slow.armed.Store(true)
	off := false
	if _, err := bus.Update(ctx, uuid.Nil, ida.ID, userbus.UpdateUser{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	got, err := bus.Authenticated(ctx, ida.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Enabled {
		t.Error("right after she was disabled, Ida is served enabled from the cache")
	}
}

// overtakingStore, once armed, commits a change to user other while an
// update's transaction is open: numbered after the update's, it commits
// first.
type overtakingStore struct {
	userbus.Storer
	db    *sqlx.DB
	other uuid.UUID
	armed atomic.Bool
}

func (s *overtakingStore) Update(ctx context.Context, db sqlx.ExtContext, usr userbus.User) error {
	if err := s.Storer.Update(ctx, db, usr); err != nil {
		return err
	}
	if s.armed.CompareAndSwap(true, false) {
		_, err := s.db.ExecContext(ctx, `UPDATE users SET department = 'elsewhere' WHERE user_id = $1`, s.other)
		return err
	}
	return nil
}

// slowCache, once armed, holds its listener up before it drops user id,
// the first time it hears of them.
type slowCache struct {
	*userbus.Cache
	id    string
	armed atomic.Bool
}

func (s *slowCache) Changed(payload string) {
	if strings.HasSuffix(payload, ":"+s.id) && s.armed.CompareAndSwap(true, false) {
		time.Sleep(300 * time.Millisecond)
	}
	s.Cache.Changed(payload)
}

// TestABulkOfChangesCostsFewAcknowledgements: an UPDATE of thousands of
// users is thousands of notifications; each listener acknowledges the
// last it has dropped, a few times, not each one on its own loop, which
// fell behind its heartbeat and started over with its cache emptied.
func TestABulkOfChangesCostsFewAcknowledgements(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t, t.Name())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	const users = 5000
	if _, err := db.DB.Exec(`INSERT INTO users (user_id, name, email, roles, password_hash, department, enabled, date_created, date_updated)
		SELECT gen_random_uuid(), 'User ' || i, 'u' || i || '@example.com', '{USER}', '\x00', '', true, now(), now()
		FROM generate_series(1, $1) i`, users); err != nil {
		t.Fatal(err)
	}
	acks := &countingAcks{Store: userdb.Store{}}
	cache := userbus.NewCache(100, db.DB, acks)
	go userdb.Listen(ctx, db.Pool.ConnConfig(), cache, logger.Discard().Warn)
	waitFor(t, cache.Live)

	if _, err := db.DB.Exec(`UPDATE users SET department = 'toys'`); err != nil {
		t.Fatal(err)
	}
	heard(t, db)
	n := acks.n.Load()
	t.Logf("%d changes, %d acknowledgements", users, n)
	if n > users/10 {
		t.Errorf("%d changes took %d acknowledgements, want at most %d", users, n, users/10)
	}
}

// countingAcks counts a cache's acknowledgements.
type countingAcks struct {
	userdb.Store
	n atomic.Int64
}

func (s *countingAcks) AckChange(ctx context.Context, db sqlx.ExtContext, pid uint32, seq int64) error {
	s.n.Add(1)
	return s.Store.AckChange(ctx, db, pid, seq)
}

// TestAnEndedSessionAcknowledgesNothingOfTheNext: a listener session
// that ends while its acknowledgement is in flight acknowledges, as its
// pid, nothing the next session heard: with another replica's listener
// on that pid, it would stand for a change that replica never dropped.
func TestAnEndedSessionAcknowledgesNothingOfTheNext(t *testing.T) {
	t.Parallel()
	for round := range 20 {
		store := &heldAcks{release: map[uint32]chan struct{}{1: make(chan struct{}), 2: make(chan struct{})}, acked: make(chan [2]int64, 10)}
		cache := userbus.NewCache(10, nil, store)
		id := uuid.NewString()

		// Session 1 hears change 5; its acknowledgement hangs.
		if err := cache.SetLive(true, 1); err != nil {
			t.Fatal(err)
		}
		cache.Changed("5:" + id)
		waitFor(t, func() bool { return store.held(1) })
		// Session 2 hears 7, whose acknowledgement hangs too, then 8.
		if err := cache.SetLive(false, 0); err != nil {
			t.Fatal(err)
		}
		if err := cache.SetLive(true, 2); err != nil {
			t.Fatal(err)
		}
		cache.Changed("7:" + id)
		waitFor(t, func() bool { return store.held(2) })
		cache.Changed("8:" + id)

		// Session 1's acknowledgement ends: it acknowledges nothing more.
		close(store.release[1])
		if got := <-store.acked; got != [2]int64{1, 5} {
			t.Fatalf("round %d: acknowledgement %v, want session 1's own 5", round, got)
		}
		close(store.release[2])
		for _, want := range [][2]int64{{2, 7}, {2, 8}} {
			if got := <-store.acked; got != want {
				t.Fatalf("round %d: acknowledgement %v, want %v", round, got, want)
			}
		}
		if err := cache.SetLive(false, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// heldAcks records acknowledgements as (pid, seq), holding each pid's
// first until its release is closed.
type heldAcks struct {
	mu      sync.Mutex
	holding map[uint32]bool
	release map[uint32]chan struct{}
	acked   chan [2]int64
}

func (s *heldAcks) RegisterListener(context.Context, sqlx.ExtContext, uint32) error { return nil }

func (s *heldAcks) AckChange(_ context.Context, _ sqlx.ExtContext, pid uint32, seq int64) error {
	s.mu.Lock()
	if s.holding == nil {
		s.holding = map[uint32]bool{}
	}
	first := !s.holding[pid]
	s.holding[pid] = true
	s.mu.Unlock()
	if first {
		<-s.release[pid]
	}
	s.acked <- [2]int64{int64(pid), seq}
	return nil
}

func (s *heldAcks) held(pid uint32) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.holding[pid]
}
