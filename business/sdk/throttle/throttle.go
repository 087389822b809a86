// Package throttle counts attempts per key (logins per account, signups per
// address, ...) in Postgres, so every replica enforces one limit, and
// refuses an attempt while its key is locked. A key may have Free attempts
// within Window: the one that uses up the last locks it for Base, and each
// further one for twice as long, up to Max.
//
// An attempt is counted before it is made, in the statement that checks
// the lock: counting after the work would let a whole burst through the
// check before the first is counted.
package throttle

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/jmoiron/sqlx"
)

// Policy is how many attempts a key may have and what happens after.
type Policy struct {
	Free   int           // attempts within Window before a wait
	Window time.Duration // attempts older than this are forgotten
	Base   time.Duration // the first lock
	Max    time.Duration // the longest lock
}

// maxSteps bounds the schedule of a policy that never reaches Max.
const maxSteps = 64

// locks is when a key counted at now is locked until, for the counts
// Free, Free+1, ... up to the first locked for Max: Base doubling per
// count past Free. The counting statement indexes it by the new count.
func (p Policy) locks(now time.Time) []time.Time {
	var out []time.Time
	for n := max(p.Free, 1); len(out) < maxSteps; n++ {
		d := time.Duration(min(float64(p.Base)*math.Pow(2, float64(n-p.Free)), float64(p.Max)))
		out = append(out, now.Add(d))
		if d >= p.Max {
			break
		}
	}
	return out
}

// Attempt is one attempt at a key, as Try counted or refused it.
type Attempt struct {
	// Wait, when positive, is how long the key is still locked: the
	// attempt was refused.
	Wait time.Duration

	// What Refund needs to take a counted attempt back.
	key         string
	events      int        // the key's count with this attempt
	windowStart time.Time  // of the window it was counted in
	lockedUntil *time.Time // the lock it set, if any
}

// Refused reports whether the attempt must not be made.
func (a Attempt) Refused() bool { return a.Wait > 0 }

// Count is how many attempts the key has in its window, this one included;
// 1 is a key with no earlier attempts, or whose earlier ones were refunded.
func (a Attempt) Count() int { return a.events }

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

// Try counts an attempt at key under p before it is made, and locks key
// once the count calls for it, unless key is already locked: then the
// attempt is refused, uncounted, with its Wait. The check and the count
// are one statement on one row, so of a burst on any replicas exactly as
// many pass as the key had left.
func (l *Limiter) Try(ctx context.Context, key string, p Policy) (Attempt, error) {
	// A locked row is left as it is, and no row returns. The nth count
	// past Free is locked until (:locks)[n], or the last entry after.
	const count = `
	INSERT INTO throttles AS t (key, events, window_start, locked_until, updated)
	VALUES (:key, 1, :now, :first_lock, :now)
	ON CONFLICT (key) DO UPDATE SET (events, window_start, locked_until, updated) = (
		SELECT n.events, n.window_start,
			CASE WHEN n.events >= :free
				THEN (CAST(:locks AS timestamptz[]))[least(n.events - :free + 1, :steps)]
			END,
			CAST(:now AS timestamptz)
		FROM (SELECT
			CASE WHEN t.window_start <= :window_floor THEN 1 ELSE t.events + 1 END AS events,
			CASE WHEN t.window_start <= :window_floor THEN CAST(:now AS timestamptz) ELSE t.window_start END AS window_start
		) AS n
	)
	WHERE t.locked_until IS NULL OR t.locked_until <= :now
	RETURNING events, window_start, locked_until`

	now := l.now().UTC()
	free := max(p.Free, 1)
	locks := p.locks(now)
	var first *time.Time
	if p.Free <= 1 {
		first = &locks[0]
	}
	data := map[string]any{
		"key": key, "now": now, "window_floor": now.Add(-p.Window),
		"free": free, "locks": locks, "steps": len(locks), "first_lock": first,
	}
	var row struct {
		Events      int        `db:"events"`
		WindowStart time.Time  `db:"window_start"`
		LockedUntil *time.Time `db:"locked_until"`
	}
	err := sqldb.NamedQueryStruct(ctx, l.db, count, data, &row)
	switch {
	case errors.Is(err, sqldb.ErrDBNotFound):
		wait, err := l.wait(ctx, key, now)
		if err != nil {
			return Attempt{}, err
		}
		return Attempt{Wait: wait}, nil
	case err != nil:
		return Attempt{}, fmt.Errorf("throttle try: %w", err)
	}
	return Attempt{key: key, events: row.Events, windowStart: row.WindowStart, lockedUntil: row.LockedUntil}, nil
}

// wait returns how long key stays locked after now.
func (l *Limiter) wait(ctx context.Context, key string, now time.Time) (time.Duration, error) {
	const q = `SELECT coalesce(locked_until, CAST('epoch' AS timestamptz)) AS until FROM throttles WHERE key = :key`

	var row struct {
		Until time.Time `db:"until"`
	}
	err := sqldb.NamedQueryStruct(ctx, l.db, q, map[string]any{"key": key}, &row)
	if err != nil && !errors.Is(err, sqldb.ErrDBNotFound) {
		return 0, fmt.Errorf("throttle wait: %w", err)
	}
	if wait := row.Until.Sub(now); wait > 0 {
		return wait, nil
	}
	// The lock ended between the two statements: a second is the least
	// Retry-After can say.
	return time.Second, nil
}

// Refund takes back an attempt Try counted, and the lock it set unless
// another attempt was counted since; a count from a window that has since
// restarted, or a refused attempt, is left alone.
func (l *Limiter) Refund(ctx context.Context, a Attempt) error {
	if a.key == "" {
		return nil
	}
	const q = `
	UPDATE throttles SET
		events = events - 1,
		locked_until = CASE WHEN events = :events AND locked_until = :locked_until THEN NULL ELSE locked_until END
	WHERE key = :key AND window_start = :window_start AND events > 0`

	data := map[string]any{"key": a.key, "events": a.events, "window_start": a.windowStart, "locked_until": a.lockedUntil}
	if err := sqldb.NamedExec(ctx, l.db, q, data); err != nil {
		return fmt.Errorf("throttle refund: %w", err)
	}
	return nil
}

// Reset forgets key's attempts, as a successful login does.
func (l *Limiter) Reset(ctx context.Context, key string) error {
	const q = `DELETE FROM throttles WHERE key = :key`
	if err := sqldb.NamedExec(ctx, l.db, q, map[string]any{"key": key}); err != nil {
		return fmt.Errorf("throttle reset: %w", err)
	}
	return nil
}

// DeleteExpired removes up to limit counters whose keys begin with
// prefix, untouched for longer than idle and no longer locked, and
// returns how many. Each policy's keys are swept past its own window: one
// bound for all would keep a flood's short-lived counters as long as the
// longest window, or forget a long window's early. A counter an attempt
// is counting on at that moment is skipped, not waited for: deleted after
// the attempt's commit it would take the attempt with it (the delete
// matches the key it picked, not the row as the attempt left it), and
// every replica sweeps.
func (l *Limiter) DeleteExpired(ctx context.Context, prefix string, idle time.Duration, limit int) (int, error) {
	const q = `
	DELETE FROM throttles
	WHERE key IN (
		SELECT key FROM throttles
		WHERE updated <= :floor AND (locked_until IS NULL OR locked_until <= :now) AND key LIKE :prefix
		LIMIT :limit
		FOR UPDATE SKIP LOCKED
	)`

	now := l.now().UTC()
	like := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(prefix) + "%"
	n, err := sqldb.NamedExecResult(ctx, l.db, q, map[string]any{"floor": now.Add(-idle), "now": now, "limit": limit, "prefix": like})
	if err != nil {
		return 0, fmt.Errorf("delete expired throttles: %w", err)
	}
	return int(n), nil
}
