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

// Lock takes key's lock until tx ends, or returns ErrInProgress at once
// when another transaction holds it: a retry that arrives while the first
// attempt runs is told so, not queued behind it.
func (s *Store) Lock(ctx context.Context, tx *sqlx.Tx, key Key) error {
	const q = `SELECT pg_try_advisory_xact_lock(hashtextextended(:lock_name, 0)) AS locked`

	var row struct {
		Locked bool `db:"locked"`
	}
	data := map[string]any{"lock_name": "idempotency:" + key.UserID.String() + ":" + key.Key}
	if err := sqldb.NamedQueryStruct(ctx, tx, q, data, &row); err != nil {
		return fmt.Errorf("lock idempotency key: %w", err)
	}
	if !row.Locked {
		return ErrInProgress
	}
	return nil
}

// Lookup returns the live record of key, or ErrNotFound.
func (s *Store) Lookup(ctx context.Context, db sqlx.ExtContext, key Key) (Record, error) {
	const q = `
	SELECT fingerprint, status, content_type, body, date_created
	FROM idempotency_keys
	WHERE user_id = :user_id AND key = :key AND expires_at > :now`

	var rec Record
	data := map[string]any{"user_id": key.UserID, "key": key.Key, "now": s.now().UTC()}
	if err := sqldb.NamedQueryStruct(ctx, db, q, data, &rec); err != nil {
		if errors.Is(err, sqldb.ErrDBNotFound) {
			return Record{}, ErrNotFound
		}
		return Record{}, fmt.Errorf("look up idempotency key: %w", err)
	}
	return rec, nil
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
			// A live record exists: the caller did not hold the lock.
			return fmt.Errorf("save idempotency key: a live record exists")
		}
		return fmt.Errorf("save idempotency key: %w", err)
	}
	return nil
}

// DeleteExpired removes up to limit expired records and returns how many
// it removed. Batches keep each delete short however many have expired.
func (s *Store) DeleteExpired(ctx context.Context, limit int) (int, error) {
	const q = `
	DELETE FROM idempotency_keys
	WHERE ctid IN (
		SELECT ctid FROM idempotency_keys
		WHERE expires_at <= :now
		LIMIT :limit
	)`

	n, err := sqldb.NamedExecResult(ctx, s.db, q, map[string]any{"now": s.now().UTC(), "limit": limit})
	if err != nil {
		return 0, fmt.Errorf("delete expired idempotency keys: %w", err)
	}
	return int(n), nil
}
