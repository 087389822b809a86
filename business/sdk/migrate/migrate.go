// Package migrate holds the database schema as embedded goose migrations
// and the development seed data, and applies them.
package migrate

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"time"

	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed sql/*.sql
var migrations embed.FS

//go:embed seed/*.sql
var seeds embed.FS

// Option changes how Migrate runs.
type Option func(*options)

type options struct {
	onLockWait func(attempt int, wait time.Duration, err error)
}

// OnLockWait has Migrate call f before it tries again a migration that
// gave up waiting for a table's lock: the attempt that failed (from 1),
// the wait before the next, and the error.
func OnLockWait(f func(attempt int, wait time.Duration, err error)) Option {
	return func(o *options) { o.onLockWait = f }
}

// lockWaits are the waits between the attempts of a migration that gave
// up on a lock: eight attempts in about a minute and a half.
var lockWaits = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}

// Migrate applies every migration the database does not have yet. Under
// an advisory lock, processes that call it at once take turns.
//
// A migration that gives up waiting for a table's lock (the connection's
// lock_timeout; a request or a dump holding the table) is tried again, up
// to eight times: while a migration's ALTER waits for its lock, every
// query of that table queues behind it, so a connection that migrates
// should wait a few seconds at a time, not a minute. A migration in a
// transaction that gave up changed nothing; one marked NO TRANSACTION must
// be safe to run again (docs/migrations.md).
func Migrate(ctx context.Context, db *sqlx.DB, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	for attempt := 1; ; attempt++ {
		err := migrateOnce(ctx, db)
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != lockNotAvailable || attempt > len(lockWaits) {
			return err
		}
		wait := lockWaits[attempt-1]
		if o.onLockWait != nil {
			o.onLockWait(attempt, wait, err)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return fmt.Errorf("%w (gave up waiting to try again: %w)", err, ctx.Err())
		}
	}
}

// lockNotAvailable is the error of a statement past its lock_timeout.
const lockNotAvailable = "55P03"

func migrateOnce(ctx context.Context, db *sqlx.DB) error {
	// The locker counts its retries, so each run needs a fresh one: probed
	// each second (goose's default is 5), 300 times for a slow migration.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("create migration lock: %w", err)
	}

	provider, err := newProvider(db, goose.WithSessionLocker(locker))
	if err != nil {
		return err
	}

	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// Seed inserts the development data, every seed file in name order in one
// transaction; the files skip rows that exist, so seeding twice is harmless.
func Seed(ctx context.Context, db *sqlx.DB) error {
	files, err := fs.Glob(seeds, "seed/*.sql")
	if err != nil {
		return fmt.Errorf("list seed files: %w", err)
	}
	err = sqldb.Transact(ctx, db, func(tx *sqlx.Tx) error {
		for _, file := range files {
			body, err := seeds.ReadFile(file)
			if err != nil {
				return fmt.Errorf("read %s: %w", file, err)
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("run %s: %w", file, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed: %w%s", err, schemaHint(ctx, db, err))
	}
	return nil
}

// schemaHint explains a seed that failed on a schema other migration
// files made: a database migrated past this build's last migration, or
// one that records every migration here yet lacks a table or column a
// seed fills (a domain generated and taken out again, whose number the
// next one took: goose skips a number the database records). It also
// says so of a database never migrated.
func schemaHint(ctx context.Context, db *sqlx.DB, err error) string {
	var pgErr *pgconn.PgError
	missing := errors.As(err, &pgErr) && (pgErr.Code == undefinedTable || pgErr.Code == undefinedColumn)
	// Status creates goose's version table where there is none: asked
	// first, a seed on a database never migrated would leave an empty
	// one behind.
	var versions *string
	if qerr := db.QueryRowContext(ctx, `SELECT to_regclass($1)::text`, goose.DefaultTablename).Scan(&versions); qerr != nil {
		return ""
	}
	const never = " (the database has never been migrated: migrate it first)"
	if versions == nil {
		if missing {
			return never
		}
		return ""
	}
	states, dbVersion, serr := Status(ctx, db)
	if serr != nil || len(states) == 0 {
		return ""
	}
	// An empty version table: a migrate that failed at its first file, or
	// one asked only for its status.
	if missing && dbVersion == 0 && !slices.ContainsFunc(states, func(st MigrationStatus) bool { return st.Applied }) {
		return never
	}
	last := states[len(states)-1]
	const afresh = "; a development database can be dropped and made afresh)"
	switch {
	case dbVersion > last.Version:
		return fmt.Sprintf(" (the database records migration %d, past this build's last, %05d_%s: other migration files made it"+afresh, dbVersion, last.Version, last.Name)
	case missing && !slices.ContainsFunc(states, func(st MigrationStatus) bool { return !st.Applied }):
		return fmt.Sprintf(" (the database records every migration to %05d_%s, yet lacks what the seed fills: other files of those numbers made it, such as a domain taken out whose number the next one took"+afresh, last.Version, last.Name)
	}
	return ""
}

// Postgres error codes of a schema that lacks what a statement names.
const (
	undefinedTable  = "42P01"
	undefinedColumn = "42703"
)

// Hash returns a short hash of the migration files, names and contents,
// which changes whenever the schema does.
func Hash() string {
	files, _ := fs.Glob(migrations, "sql/*.sql") // a constant, valid pattern
	h := sha256.New()
	for _, file := range files {
		// Embedded files were checked at build time; reading cannot fail.
		body, _ := migrations.ReadFile(file)
		fmt.Fprintf(h, "%s\x00%d\x00", file, len(body))
		h.Write(body)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// newProvider returns a goose provider of the embedded migrations on db.
func newProvider(db *sqlx.DB, opts ...goose.ProviderOption) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "sql")
	if err != nil {
		return nil, fmt.Errorf("migrations folder: %w", err)
	}
	opts = append(opts,
		goose.WithDisableGlobalRegistry(true),
		// Goose would print a line per migration to stdout; callers log
		// what they need from the error instead.
		goose.WithSlog(slog.New(slog.DiscardHandler)),
	)
	provider, err := goose.NewProvider(goose.DialectPostgres, db.DB, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("create migration provider: %w", err)
	}
	return provider, nil
}
