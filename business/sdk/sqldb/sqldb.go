// Package sqldb opens and checks the Postgres connection pool and runs
// statements through sqlx with errors that the stores can act on.
package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
)

// Errors the stores translate into their domain's errors.
var (
	ErrDBNotFound        = errors.New("not found")
	ErrDBDuplicatedEntry = errors.New("duplicated entry")
	ErrDBReferenced      = errors.New("still referenced") // by other rows
)

// Pool defaults, for fields Config leaves at zero. Postgres works best with
// about two busy connections per core; more only queue inside it (on 2
// cores, 4 connections served a third more than 10).
const (
	DefaultMaxConns         = 4
	DefaultAcquireTimeout   = time.Second
	DefaultConnectTimeout   = 2 * time.Second
	DefaultStatementTimeout = 5 * time.Second
	DefaultLockTimeout      = 2 * time.Second
	DefaultIdleInTxTimeout  = 15 * time.Second
	DefaultMaxConnIdleTime  = 30 * time.Minute
)

// Conn names the server, the database and who logs in: what every program
// that connects is told, with the tags conf reads it by (SALES_DB_HOST, ...).
type Conn struct {
	User     string `conf:"default:postgres,help:database user"`
	Password string `conf:"default:postgres,mask,help:password of the database user (postgres unless set; help and logs mask it)"`
	Host     string `conf:"default:localhost:5432,help:host:port of Postgres"`
	Name     string `conf:"default:postgres,help:database name"`

	// TLSMode is libpq's sslmode; empty is disable.
	TLSMode     string `conf:"default:disable,help:sslmode: disable or require or verify-ca or verify-full (production: verify-full)"`
	TLSRootCert string `conf:"help:PEM file of the CA that signed the certificate of the database server (for verify-ca and verify-full)"`
}

// Config is what Open needs: the connection and the pool's limits, with
// the tags conf reads them by. Zero values take the Default constants.
type Config struct {
	Conn

	// MaxConns bounds the connections; idle ones stay open up to
	// MaxConnIdleTime, so a busy pool never churns.
	MaxConns int `conf:"default:4,help:connections to Postgres at most per replica (each kept open while idle): about twice the cores of the database server divided among the replicas; replicas x (this + 2) must stay under its max_connections"`
	// AcquireTimeout bounds the wait for a connection: past it a statement
	// fails with ErrDBUnavailable instead of queueing behind a dead server.
	AcquireTimeout time.Duration `conf:"default:1s,help:wait for a free connection at most this long then answer 503"`
	ConnectTimeout time.Duration `conf:"default:2s,help:time to dial and log in to Postgres"`
	// The server gives up on work whose client is stuck or gone.
	StatementTimeout time.Duration `conf:"default:5s,help:Postgres statement_timeout of every connection"`
	LockTimeout      time.Duration `conf:"default:2s,help:Postgres lock_timeout of every connection"`
	IdleInTxTimeout  time.Duration `conf:"default:15s,help:Postgres idle_in_transaction_session_timeout of every connection"`
	MaxConnIdleTime  time.Duration `conf:"-"`
	ApplicationName  string        `conf:"-"` // shown in pg_stat_activity
}

// URL returns the connection URL of cfg.
func (cfg Conn) URL() string {
	q := make(url.Values)
	q.Set("sslmode", cmp.Or(cfg.TLSMode, "disable"))
	if cfg.TLSRootCert != "" {
		q.Set("sslrootcert", cfg.TLSRootCert)
	}
	q.Set("timezone", "utc")
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(cfg.User, cfg.Password),
		Host:     cfg.Host,
		Path:     cfg.Name,
		RawQuery: q.Encode(),
	}
	return u.String()
}

// DB is a pool of connections to Postgres, used through sqlx, over a
// bounded pgxpool: MaxConns is the true limit and a statement waits at
// most AcquireTimeout for a connection.
type DB struct {
	*sqlx.DB
	pool *pgxpool.Pool

	// health is a pool of one connection of its own for readiness checks:
	// a busy request pool must not make every replica look dead.
	health *pgxpool.Pool
}

// Open opens a connection pool to the database of cfg without waiting for
// the server (StatusCheck does).
func Open(cfg Config) (*DB, error) {
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return open(cfg.URL(), cfg)
}

// check names the setting a bad connection is made of: the URL it would
// form holds the password, so its parser's error cannot be shown.
func (cfg Conn) check() error {
	switch cfg.TLSMode {
	case "", "disable", "allow", "prefer", "require", "verify-ca", "verify-full":
	default:
		return fmt.Errorf("TLS mode (sslmode) %q: want disable, require, verify-ca or verify-full", cfg.TLSMode)
	}
	// "system" is pgx's word for the operating system's trust store.
	if cfg.TLSRootCert != "" && cfg.TLSRootCert != "system" {
		if _, err := os.Stat(cfg.TLSRootCert); err != nil {
			return fmt.Errorf("TLS root certificate: %w", err)
		}
	}
	return nil
}

// OpenURL opens a pool from a connection URL with the default settings.
func OpenURL(dsn string) (*DB, error) {
	return open(dsn, Config{})
}

func open(dsn string, cfg Config) (*DB, error) {
	cfg = withDefaults(cfg)

	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The URL holds the password: say what is wrong without it.
		return nil, errors.New("open database: the connection settings do not form a valid postgres URL")
	}
	pcfg.MaxConns = int32(cfg.MaxConns)
	pcfg.MaxConnIdleTime = cfg.MaxConnIdleTime
	pcfg.HealthCheckPeriod = 30 * time.Second
	pcfg.ConnConfig.ConnectTimeout = cfg.ConnectTimeout
	pcfg.AfterConnect = registerUUID
	params := pcfg.ConnConfig.RuntimeParams
	params["statement_timeout"] = millis(cfg.StatementTimeout)
	params["lock_timeout"] = millis(cfg.LockTimeout)
	params["idle_in_transaction_session_timeout"] = millis(cfg.IdleInTxTimeout)
	if cfg.ApplicationName != "" {
		params["application_name"] = cfg.ApplicationName
	}

	// NewWithConfig makes no connection yet (MinConns is 0).
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}

	hcfg := pcfg.Copy()
	hcfg.MaxConns = 1
	hcfg.ConnConfig.RuntimeParams["application_name"] = cfg.ApplicationName + " health"
	health, err := pgxpool.NewWithConfig(context.Background(), hcfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}

	c := &connector{Connector: stdlib.GetPoolConnector(pool), pool: pool, health: health, acquireTimeout: cfg.AcquireTimeout}
	sqlDB := sql.OpenDB(c)
	// No idle connections in database/sql: the pgxpool keeps them, and one
	// parked here would be one the pool counts as busy.
	sqlDB.SetMaxIdleConns(0)
	return &DB{DB: sqlx.NewDb(sqlDB, "pgx"), pool: pool, health: health}, nil
}

func withDefaults(cfg Config) Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	def(&cfg.AcquireTimeout, DefaultAcquireTimeout)
	def(&cfg.ConnectTimeout, DefaultConnectTimeout)
	def(&cfg.StatementTimeout, DefaultStatementTimeout)
	def(&cfg.LockTimeout, DefaultLockTimeout)
	def(&cfg.IdleInTxTimeout, DefaultIdleInTxTimeout)
	def(&cfg.MaxConnIdleTime, DefaultMaxConnIdleTime)
	return cfg
}

// millis is a duration as Postgres reads a timeout setting.
func millis(d time.Duration) string {
	return strconv.FormatInt(d.Milliseconds(), 10)
}

// PoolStats is a snapshot of the connection pool.
type PoolStats struct {
	MaxConns        int
	TotalConns      int
	InUse           int
	Idle            int
	WaitCount       int64         // acquires that had to wait for a connection
	WaitDuration    time.Duration // time spent in those waits
	AcquireTimeouts int64         // acquires that gave up: the pool was exhausted or the server gone
	TxRetries       uint64        // transactions run again after a serialization failure or deadlock
}

// Stats returns the pool's figures now.
func (db *DB) Stats() PoolStats {
	s := db.pool.Stat()
	return PoolStats{
		MaxConns:        int(s.MaxConns()),
		TotalConns:      int(s.TotalConns()),
		InUse:           int(s.AcquiredConns()),
		Idle:            int(s.IdleConns()),
		WaitCount:       s.EmptyAcquireCount(),
		WaitDuration:    s.EmptyAcquireWaitTime(),
		AcquireTimeouts: s.CanceledAcquireCount(),
		TxRetries:       txRetries.Load(),
	}
}

// StatusCheck returns nil once the database answers, retrying until ctx ends.
func StatusCheck(ctx context.Context, db *sqlx.DB) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Second)
		defer cancel()
	}
	for attempt := 1; ; attempt++ {
		var one int
		err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
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

// Ping checks that the database answers, on a connection of its own, so a
// request pool exhausted by load does not make it fail.
func (db *DB) Ping(ctx context.Context) error {
	return db.health.Ping(ctx)
}

// ConnConfig returns a copy of the pool's connection settings, for a
// connection of one's own (a LISTEN). Such a connection does not take
// the pool's uuid encoding (registerUUID): register it to send uuids.
func (db *DB) ConnConfig() *pgx.ConnConfig {
	return db.pool.Config().ConnConfig.Copy()
}

// Clock returns now (nil: the wall clock) in UTC at the database's
// microsecond precision, so what a method returns equals what it stored.
func Clock(now func() time.Time) func() time.Time {
	if now == nil {
		now = time.Now
	}
	return func() time.Time { return now().UTC().Truncate(time.Microsecond) }
}
