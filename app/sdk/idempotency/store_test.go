package idempotency_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/app/sdk/idempotency"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

// save writes rec for key in a transaction of its own.
func save(ctx context.Context, db *sqlx.DB, store *idempotency.Store, key idempotency.Key, rec idempotency.Record) error {
	return sqldb.Transact(ctx, db, func(tx *sqlx.Tx) error { return store.Save(ctx, tx, key, rec) })
}

// lock takes key's lock in a transaction of its own: nil when it took it
// (with or without a record).
func lock(ctx context.Context, db *sqlx.DB, store *idempotency.Store, key idempotency.Key) error {
	return sqldb.Transact(ctx, db, func(tx *sqlx.Tx) error { return take(ctx, tx, store, key) })
}

// lookup is key's live record, read with Take in a transaction of its own.
func lookup(ctx context.Context, db *sqlx.DB, store *idempotency.Store, key idempotency.Key) (idempotency.Record, error) {
	var rec idempotency.Record
	err := sqldb.Transact(ctx, db, func(tx *sqlx.Tx) (err error) {
		rec, err = store.Take(ctx, tx, key)
		return err
	})
	return rec, err
}

func take(ctx context.Context, tx *sqlx.Tx, store *idempotency.Store, key idempotency.Key) error {
	if _, err := store.Take(ctx, tx, key); err != nil && !errors.Is(err, idempotency.ErrNotFound) {
		return err
	}
	return nil
}

// clock is a settable time for the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestRecordsExpire: a record answers for its TTL, then is gone, may be
// written afresh, and is swept away.
func TestRecordsExpire(t *testing.T) {
	db := dbtest.New(t, t.Name()).DB
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	store := idempotency.NewStore(db, time.Hour, clk.now)
	key := idempotency.Key{UserID: uuid.New(), Key: "k1"}
	rec := idempotency.Record{Fingerprint: []byte{1}, Status: 201, ContentType: "application/json", Body: []byte(`{"id":"1"}`), DateCreated: clk.now()}

	if _, err := lookup(ctx, db, store, key); !errors.Is(err, idempotency.ErrNotFound) {
		t.Fatalf("lookup before save: %v, want ErrNotFound", err)
	}
	if err := save(ctx, db, store, key, rec); err != nil {
		t.Fatal(err)
	}
	got, err := lookup(ctx, db, store, key)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rec, got); diff != "" {
		t.Errorf("lookup (-saved +got):\n%s", diff)
	}
	// A live record found by Save is a first attempt committed after
	// this one's Take: the transaction is run again, and sees it.
	if err := save(ctx, db, store, key, rec); !errors.Is(err, sqldb.ErrDBConflict) {
		t.Errorf("a second save of a live key: %v, want sqldb.ErrDBConflict", err)
	}

	clk.add(time.Hour)
	if _, err := lookup(ctx, db, store, key); !errors.Is(err, idempotency.ErrNotFound) {
		t.Errorf("lookup after the TTL: %v, want ErrNotFound", err)
	}
	rec.Body, rec.DateCreated = []byte(`{"id":"2"}`), clk.now()
	if err := save(ctx, db, store, key, rec); err != nil {
		t.Errorf("save over an expired record: %v", err)
	}

	// Two more records, expired by the time of the sweep.
	for _, k := range []string{"k2", "k3"} {
		if err := save(ctx, db, store, idempotency.Key{UserID: key.UserID, Key: k}, rec); err != nil {
			t.Fatal(err)
		}
	}
	clk.add(2 * time.Hour)
	n, err := store.DeleteExpired(ctx, 2)
	if err != nil || n != 2 {
		t.Errorf("first batch: deleted %d (%v), want 2", n, err)
	}
	n, err = store.DeleteExpired(ctx, 2)
	if err != nil || n != 1 {
		t.Errorf("second batch: deleted %d (%v), want 1", n, err)
	}
	var left int
	if err := db.Get(&left, `SELECT count(*) FROM idempotency_keys`); err != nil || left != 0 {
		t.Errorf("rows left: %d (%v), want 0", left, err)
	}
}

// TestLockIsExclusive: while one transaction holds a key, another is told
// ErrInProgress at once; another key is free.
func TestLockIsExclusive(t *testing.T) {
	db := dbtest.New(t, t.Name()).DB
	ctx := context.Background()
	store := idempotency.NewStore(db, 0, nil)
	key := idempotency.Key{UserID: uuid.New(), Key: "k"}

	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- sqldb.Transact(ctx, db, func(tx *sqlx.Tx) error {
			if err := take(ctx, tx, store, key); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held

	err := lock(ctx, db, store, key)
	if !errors.Is(err, idempotency.ErrInProgress) {
		t.Errorf("the same key while held: %v, want ErrInProgress", err)
	}
	other := idempotency.Key{UserID: key.UserID, Key: "other"}
	if err := lock(ctx, db, store, other); err != nil {
		t.Errorf("another key while the first is held: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := lock(ctx, db, store, key); err != nil {
		t.Errorf("the key once released: %v", err)
	}
}
