// Package dbtest gives each test a database of its own on a real Postgres
// server: a copy of a template migrated once per server, so a test costs
// one CREATE DATABASE. Import it only from _test.go files; a package calls
// Main from TestMain, and each test calls New.
package dbtest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/logger"
	"github.com/garagesale/service/foundation/pgserver"
	"github.com/jackc/pgx/v5"
	"github.com/jmoiron/sqlx"
)

// envURL names the variable of a server's URL to test against instead of
// starting one; its user must be allowed to create databases.
const envURL = "SALES_TEST_DB_URL"

// templateLockKey is the advisory lock that serialises test processes
// building the template database on a shared server.
const templateLockKey int64 = 0x6761726167650001

// serverURL is the server of this test process, set by Main.
var serverURL string

// Main runs a package's tests with a database server: the one
// SALES_TEST_DB_URL (or SALES_DB_HOST) names, else one started for this
// process and stopped after m.Run. Exits with m.Run's code.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	serverURL = externalServer()
	if serverURL == "" {
		srv, err := pgserver.Start(context.Background(), pgserver.Config{})
		if err != nil {
			fmt.Fprintf(os.Stderr, "dbtest: start a test database server: %v\n", err)
			return 1
		}
		defer func() {
			if err := srv.Stop(); err != nil {
				fmt.Fprintf(os.Stderr, "dbtest: stop the test database server: %v\n", err)
			}
		}()
		serverURL = srv.URL("postgres")
	}
	defer func() {
		if adm, err := adminPool(); err == nil {
			adm.Close()
		}
	}()
	return m.Run()
}

// externalServer returns the URL of a server given from outside:
// SALES_TEST_DB_URL, else the service's own SALES_DB_* settings when
// SALES_DB_HOST is set. Empty means start one.
func externalServer() string {
	if u := os.Getenv(envURL); u != "" {
		return u
	}
	host := os.Getenv("SALES_DB_HOST")
	if host == "" {
		return ""
	}
	return sqldb.Conn{
		User:     cmp.Or(os.Getenv("SALES_DB_USER"), "postgres"),
		Password: cmp.Or(os.Getenv("SALES_DB_PASSWORD"), "postgres"),
		Host:     host,
		Name:     "postgres",
		TLSMode:  cmp.Or(os.Getenv("SALES_DB_TLS_MODE"), "disable"),
	}.URL()
}

// Database is one test's own freshly migrated database.
type Database struct {
	DB   *sqlx.DB  // a pool to it
	Pool *sqldb.DB // the same pool, with its statistics
	URL  string

	// Log is printed with the test's output only if the test fails, and
	// may be written to after the test ends (unlike t.Log).
	Log *logger.Logger
}

// New returns a new database for t, cloned from the migrated template and
// named after name, dropped when t ends.
func New(t testing.TB, name string) *Database {
	t.Helper()
	if serverURL == "" {
		t.Fatal("dbtest: no database server: call dbtest.Main from the package's TestMain:\n\tfunc TestMain(m *testing.M) { dbtest.Main(m) }")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	adm, err := adminPool()
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	tmpl, err := template()
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}

	dbName := databaseName(name)
	if _, err := adm.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", ident(dbName), ident(tmpl))); err != nil {
		t.Fatalf("dbtest: create database %s: %v", dbName, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := adm.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", ident(dbName))); err != nil {
			t.Errorf("dbtest: drop database %s: %v", dbName, err)
		}
	})

	dbURL := databaseURL(dbName)
	pool, err := sqldb.OpenURL(dbURL)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	db := pool.DB
	// Registered after the drop, so it runs first: close our pool, then drop.
	t.Cleanup(func() { db.Close() })
	if err := sqldb.StatusCheck(ctx, db); err != nil {
		t.Fatalf("dbtest: connect to %s: %v", dbName, err)
	}

	var buf Buffer
	t.Cleanup(func() {
		if t.Failed() && buf.String() != "" {
			t.Logf("log of %s:\n%s", t.Name(), buf.String())
		}
	})

	return &Database{
		DB:   db,
		Pool: pool,
		URL:  dbURL,
		Log:  logger.New(&buf, logger.LevelDebug, "test", nil),
	}
}

// adminPool returns the pool to the server's maintenance database, which
// creates and drops the test databases.
var adminPool = sync.OnceValues(func() (*sqlx.DB, error) {
	pool, err := sqldb.OpenURL(serverURL)
	if err != nil {
		return nil, err
	}
	return pool.DB, nil
})

// template returns the name of the migrated template database, building
// it first if no process has built it on this server yet.
var template = sync.OnceValues(func() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	adm, err := adminPool()
	if err != nil {
		return "", err
	}
	name := "tmpl_" + migrate.Hash()
	if err := buildTemplate(ctx, adm, name); err != nil {
		return "", fmt.Errorf("build template database %s: %w", name, err)
	}
	return name, nil
})

// buildTemplate makes sure database name exists and is migrated. Test
// processes sharing a server take turns under an advisory lock; the
// migrations run in a database renamed only once complete, so a process
// that dies halfway leaves no half-built template. It keeps no connection
// to the template: CREATE DATABASE ... TEMPLATE fails while one is open.
func buildTemplate(ctx context.Context, adm *sqlx.DB, name string) (err error) {
	conn, err := adm.Connx(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()

	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", templateLockKey); err != nil {
		return fmt.Errorf("take template lock: %w", err)
	}
	defer func() {
		if _, uErr := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", templateLockKey); uErr != nil && err == nil {
			err = fmt.Errorf("release template lock: %w", uErr)
		}
	}()

	var exists bool
	if err := conn.GetContext(ctx, &exists, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name); err != nil {
		return fmt.Errorf("look for template: %w", err)
	}
	if exists {
		return nil
	}

	build := name + "_build"
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", ident(build))); err != nil {
		return fmt.Errorf("drop leftover %s: %w", build, err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s", ident(build))); err != nil {
		return fmt.Errorf("create %s: %w", build, err)
	}
	if err := migrateDatabase(ctx, databaseURL(build)); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", ident(build), ident(name))); err != nil {
		return fmt.Errorf("rename %s to %s: %w", build, name, err)
	}
	return nil
}

func migrateDatabase(ctx context.Context, dbURL string) error {
	db, err := sqldb.OpenURL(dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := migrate.Migrate(ctx, db.DB); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// databaseURL returns the server URL for database name, in UTC as the
// service's own connections are.
func databaseURL(name string) string {
	u, err := url.Parse(serverURL)
	if err != nil {
		// Connecting with serverURL would already have failed.
		return serverURL
	}
	u.Path = "/" + name
	q := u.Query()
	if q.Get("timezone") == "" {
		q.Set("timezone", "utc")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// databaseName turns a test's label into a unique database name: lower
// case letters, digits and underscores, within Postgres' 63-byte limit.
func databaseName(label string) string {
	base := strings.Trim(unsafeChars.ReplaceAllString(strings.ToLower(label), "_"), "_")
	if len(base) > 40 {
		base = base[:40]
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix) // crypto/rand.Read never fails
	return "test_" + base + "_" + hex.EncodeToString(suffix)
}

func ident(name string) string {
	return pgx.Identifier{name}.Sanitize()
}

// Buffer is a bytes.Buffer that several goroutines may write to: a
// logger's output, a child process's stdout and stderr.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Tail returns the last n lines written.
func (b *Buffer) Tail(n int) string {
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
