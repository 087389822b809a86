// Package migrate holds the database schema as embedded goose migrations
// and the development seed data, and applies them.
package migrate

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed sql/*.sql
var migrations embed.FS

//go:embed seed/*.sql
var seeds embed.FS

// Migrate applies every migration the database does not have yet. Under
// an advisory lock, processes that call it at once take turns.
func Migrate(ctx context.Context, db *sqlx.DB) error {
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
		return fmt.Errorf("seed: %w%s", err, aheadHint(ctx, db))
	}
	return nil
}

// aheadHint explains a seed that failed on a database migrated past this
// build's last migration: other files made its schema (a domain generated,
// then removed), so a seed of these files may not fit it.
func aheadHint(ctx context.Context, db *sqlx.DB) string {
	states, dbVersion, err := Status(ctx, db)
	if err != nil || len(states) == 0 || dbVersion <= states[len(states)-1].Version {
		return ""
	}
	last := states[len(states)-1]
	return fmt.Sprintf(" (the database records migration %d, past this build's last, %05d_%s: other migration files made it; a development database can be dropped and made afresh)", dbVersion, last.Version, last.Name)
}

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
