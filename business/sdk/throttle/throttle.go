// Package throttle counts events per key (failed logins per account and
// per client address, signups per address) in Postgres, so every replica
// enforces one limit, and tells a caller how long a key must wait.
//
// A key may have Free events within Window: the event that uses up the
// last locks it for Base, and each further one for twice as long as the
// one before, up to Max. The window starts afresh once it has passed.
package throttle

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/jmoiron/sqlx"
)

// Policy is how many events a key may have and what happens after.
type Policy struct {
	Free   int           // events within Window before a wait
	Window time.Duration // events older than this are forgotten
	Base   time.Duration // the first lock
	Max    time.Duration // the longest lock
}

// lock returns how long a key with events events is locked: none before
// Free, then Base doubling per event, at most Max.
func (p Policy) lock(events int) time.Duration {
	over := events - p.Free
	if over < 0 {
		return 0
	}
	d := float64(p.Base) * math.Pow(2, float64(over))
	if d >= float64(p.Max) {
		return p.Max
	}
	return time.Duration(d)
}

// Limiter keeps the counters in the throttles table.
type Limiter struct {
	db  sqlx.ExtContext
	now func() time.Time
}

// New returns a Limiter over db; now may be nil.
func New(db sqlx.ExtContext, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{db: db, now: now}
}

// Wait returns how long the most locked of keys must still wait; 0 means
// none is locked.
func (l *Limiter) Wait(ctx context.Context, keys ...string) (time.Duration, error) {
	const q = `
	SELECT coalesce(max(locked_until), CAST('epoch' AS timestamptz)) AS until
	FROM throttles
	WHERE key = ANY(:keys) AND locked_until > :now`

	var row struct {
		Until time.Time `db:"until"`
	}
	now := l.now().UTC()
	if err := sqldb.NamedQueryStruct(ctx, l.db, q, map[string]any{"keys": keys, "now": now}, &row); err != nil {
		return 0, fmt.Errorf("throttle wait: %w", err)
	}
	if wait := row.Until.Sub(now); wait > 0 {
		return wait, nil
	}
	return 0, nil
}

// Hit records an event for key under p and returns how long key is now
// locked (0 while it has free events left).
func (l *Limiter) Hit(ctx context.Context, key string, p Policy) (time.Duration, error) {
	const count = `
	INSERT INTO throttles AS t (key, events, window_start, updated)
	VALUES (:key, 1, :now, :now)
	ON CONFLICT (key) DO UPDATE SET
		events = CASE WHEN t.window_start <= :window_floor THEN 1 ELSE t.events + 1 END,
		window_start = CASE WHEN t.window_start <= :window_floor THEN :now ELSE t.window_start END,
		updated = :now
	RETURNING events`

	const lock = `
	UPDATE throttles SET locked_until = greatest(coalesce(locked_until, :until), :until)
	WHERE key = :key`

	now := l.now().UTC()
	var row struct {
		Events int `db:"events"`
	}
	data := map[string]any{"key": key, "now": now, "window_floor": now.Add(-p.Window)}
	if err := sqldb.NamedQueryStruct(ctx, l.db, count, data, &row); err != nil {
		return 0, fmt.Errorf("throttle hit: %w", err)
	}
	d := p.lock(row.Events)
	if d == 0 {
		return 0, nil
	}
	if err := sqldb.NamedExec(ctx, l.db, lock, map[string]any{"key": key, "until": now.Add(d)}); err != nil {
		return 0, fmt.Errorf("throttle lock: %w", err)
	}
	return d, nil
}

// Reset forgets key's events, as a successful login does for its account.
func (l *Limiter) Reset(ctx context.Context, key string) error {
	const q = `DELETE FROM throttles WHERE key = :key`
	if err := sqldb.NamedExec(ctx, l.db, q, map[string]any{"key": key}); err != nil {
		return fmt.Errorf("throttle reset: %w", err)
	}
	return nil
}

// DeleteExpired removes up to limit counters untouched for longer than
// idle and no longer locked, and returns how many.
func (l *Limiter) DeleteExpired(ctx context.Context, idle time.Duration, limit int) (int, error) {
	const q = `
	DELETE FROM throttles
	WHERE key IN (
		SELECT key FROM throttles
		WHERE updated <= :floor AND (locked_until IS NULL OR locked_until <= :now)
		LIMIT :limit
	)`

	now := l.now().UTC()
	n, err := sqldb.NamedExecResult(ctx, l.db, q, map[string]any{"floor": now.Add(-idle), "now": now, "limit": limit})
	if err != nil {
		return 0, fmt.Errorf("delete expired throttles: %w", err)
	}
	return int(n), nil
}
