// Package sqldb opens and checks the Postgres connection pool and runs
// statements through sqlx with errors that the stores can act on.
package sqldb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/jmoiron/sqlx"
)

// Errors the stores translate into their domain's errors.
var (
	ErrDBNotFound        = errors.New("not found")
	ErrDBDuplicatedEntry = errors.New("duplicated entry")
	// ErrDBReferenced is a delete or update refused because other rows
	// still refer to the row.
	ErrDBReferenced = errors.New("still referenced")
)

// Postgres error codes we act on.
const (
	uniqueViolation = "23505"
	fkViolation     = "23503"
	undefinedTable  = "42P01"
)

// Config is what Open needs.
type Config struct {
	User         string
	Password     string
	Host         string // host or host:port
	Name         string
	Schema       string
	MaxIdleConns int
	MaxOpenConns int
	DisableTLS   bool
}

// URL returns the connection URL of cfg.
func (cfg Config) URL() string {
	sslMode := "require"
	if cfg.DisableTLS {
		sslMode = "disable"
	}
	q := make(url.Values)
	q.Set("sslmode", sslMode)
	q.Set("timezone", "utc")
	if cfg.Schema != "" {
		q.Set("search_path", cfg.Schema)
	}
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(cfg.User, cfg.Password),
		Host:     cfg.Host,
		Path:     cfg.Name,
		RawQuery: q.Encode(),
	}
	return u.String()
}

// Open opens a connection pool to the database of cfg. It does not wait
// for the server; use StatusCheck for that.
func Open(cfg Config) (*sqlx.DB, error) {
	db, err := sqlx.Open("pgx", cfg.URL())
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.SetMaxIdleConns(cfg.MaxIdleConns)
	db.SetMaxOpenConns(cfg.MaxOpenConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// OpenURL opens a pool from a connection URL.
func OpenURL(dsn string) (*sqlx.DB, error) {
	db, err := sqlx.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

// StatusCheck returns nil once the database answers a query, retrying
// until ctx ends.
func StatusCheck(ctx context.Context, db *sqlx.DB) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Second)
		defer cancel()
	}

	for attempt := 1; ; attempt++ {
		err := ping(ctx, db)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("database not ready after %d attempts: %w", attempt, err)
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		}
	}
}

func ping(ctx context.Context, db *sqlx.DB) error {
	var one int
	return db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// translate maps driver errors to the package's sentinel errors, keeping
// the original in the chain.
func translate(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case uniqueViolation:
			return fmt.Errorf("%w: %s", ErrDBDuplicatedEntry, pgErr.ConstraintName)
		case fkViolation:
			return fmt.Errorf("%w: %s", ErrDBReferenced, pgErr.ConstraintName)
		case undefinedTable:
			return fmt.Errorf("undefined table (is the database migrated?): %w", err)
		}
	}
	return err
}
