// Package idempotency makes a write safe to retry with an Idempotency-Key
// (the IETF httpapi draft): a client retrying after a lost answer gets the
// first answer again instead of the work being done twice. The answer is
// kept in Postgres, written in the work's own transaction (Do), so it
// holds across replicas and exists exactly when the work committed.
package idempotency

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// ErrInProgress is a key whose first request is still running.
var ErrInProgress = errors.New("a request with this key is in progress")

// ErrNotFound is a key with no live record.
var ErrNotFound = errors.New("no record for this key")

// DefaultTTL is how long a record is kept when Store is given none.
const DefaultTTL = 24 * time.Hour

// Key names one request: the caller and the key they chose.
type Key struct {
	UserID uuid.UUID
	Key    string
}

// Record is the outcome of a request that succeeded.
type Record struct {
	// Fingerprint identifies the request the key was first sent with
	// (method, route and body): the same key with another request is a
	// client error, not a retry.
	Fingerprint []byte    `db:"fingerprint"`
	Status      int       `db:"status"`
	ContentType string    `db:"content_type"`
	Body        []byte    `db:"body"`
	DateCreated time.Time `db:"date_created"`
}

// Store keeps records in the idempotency_keys table of db.
type Store struct {
	db  *sqlx.DB
	ttl time.Duration
	now func() time.Time
}

// NewStore returns a Store over db whose records live for ttl (DefaultTTL
// when 0). now may be nil.
func NewStore(db *sqlx.DB, ttl time.Duration, now func() time.Time) *Store {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Store{db: db, ttl: ttl, now: sqldb.Clock(now)}
}

// Take takes key's lock until tx ends and returns its live record, in one
// round trip: ErrInProgress at once when another transaction holds the
// lock (a retry that arrives while the first attempt runs is told so, not
// queued behind it), ErrNotFound when the key has no record and is now
// tx's to record. The record is read in the statement that takes the
// lock, so with the snapshot taken before it: a first attempt that
// committed in between is not seen, and Save then finds its record and
// asks for the transaction to run again (sqldb.ErrDBConflict), which
// sees it.
func (s *Store) Take(ctx context.Context, tx *sqlx.Tx, key Key) (Record, error) {
	const q = `
	SELECT l.locked, k.fingerprint, k.status, k.content_type, k.body, k.date_created
	FROM (SELECT pg_try_advisory_xact_lock(hashtextextended(:lock_name, 0)) AS locked) l
	LEFT JOIN idempotency_keys k ON l.locked AND k.user_id = :user_id AND k.key = :key AND k.expires_at > :now`

	var row struct {
		Locked      bool       `db:"locked"`
		Fingerprint []byte     `db:"fingerprint"`
		Status      *int       `db:"status"`
		ContentType *string    `db:"content_type"`
		Body        []byte     `db:"body"`
		DateCreated *time.Time `db:"date_created"`
	}
	data := map[string]any{"lock_name": "idempotency:" + key.UserID.String() + ":" + key.Key,
		"user_id": key.UserID, "key": key.Key, "now": s.now().UTC()}
	if err := sqldb.NamedQueryStruct(ctx, tx, q, data, &row); err != nil {
		return Record{}, fmt.Errorf("take idempotency key: %w", err)
	}
	switch {
	case !row.Locked:
		return Record{}, ErrInProgress
	case row.Status == nil:
		return Record{}, ErrNotFound
	}
	return Record{Fingerprint: row.Fingerprint, Status: *row.Status, ContentType: *row.ContentType,
		Body: row.Body, DateCreated: *row.DateCreated}, nil
}

// Save writes rec for key in tx, replacing an expired record of the same
// key.
func (s *Store) Save(ctx context.Context, tx *sqlx.Tx, key Key, rec Record) error {
	const q = `
	INSERT INTO idempotency_keys
		(user_id, key, fingerprint, status, content_type, body, date_created, expires_at)
	VALUES
		(:user_id, :key, :fingerprint, :status, :content_type, :body, :date_created, :expires_at)
	ON CONFLICT (user_id, key) DO UPDATE SET
		fingerprint = EXCLUDED.fingerprint,
		status = EXCLUDED.status,
		content_type = EXCLUDED.content_type,
		body = EXCLUDED.body,
		date_created = EXCLUDED.date_created,
		expires_at = EXCLUDED.expires_at
	WHERE idempotency_keys.expires_at <= EXCLUDED.date_created`

	created := rec.DateCreated.UTC()
	data := map[string]any{
		"user_id":      key.UserID,
		"key":          key.Key,
		"fingerprint":  rec.Fingerprint,
		"status":       rec.Status,
		"content_type": rec.ContentType,
		"body":         rec.Body,
		"date_created": created,
		"expires_at":   created.Add(s.ttl),
	}
	if err := sqldb.NamedExecOne(ctx, tx, q, data); err != nil {
		if errors.Is(err, sqldb.ErrDBNotFound) {
			// A live record exists: the first attempt committed after
			// Take's snapshot, or the caller did not hold the lock. Run
			// again, and Take sees it.
			return fmt.Errorf("save idempotency key: a live record exists: %w", sqldb.ErrDBConflict)
		}
		return fmt.Errorf("save idempotency key: %w", err)
	}
	return nil
}

// DeleteExpired removes up to limit expired records and returns how many
// it removed. Batches keep each delete short however many have expired.
// A record being saved again meanwhile is skipped rather than waited for
// (every replica sweeps); were it waited for, the delete would not take
// the new record, whose row version (ctid) is another.
func (s *Store) DeleteExpired(ctx context.Context, limit int) (int, error) {
	const q = `
	DELETE FROM idempotency_keys
	WHERE ctid IN (
		SELECT ctid FROM idempotency_keys
		WHERE expires_at <= :now
		LIMIT :limit
		FOR UPDATE SKIP LOCKED
	)`

	n, err := sqldb.NamedExecResult(ctx, s.db, q, map[string]any{"now": s.now().UTC(), "limit": limit})
	if err != nil {
		return 0, fmt.Errorf("delete expired idempotency keys: %w", err)
	}
	return int(n), nil
}
