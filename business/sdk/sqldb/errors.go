package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"

	"github.com/jackc/pgx/v5/pgconn"
)

// Errors of the database as a whole, which no store translates: the layers
// above answer them the same way for every domain.
var (
	// ErrDBUnavailable is a statement that could not run now (no
	// connection in time, the server down, a timeout, a lost connection)
	// and may succeed later. An abandoned request is one too, with
	// context.Canceled kept in the chain to tell it apart.
	ErrDBUnavailable = errors.New("database unavailable")

	// ErrDBConflict is a transaction that lost to a concurrent one (a
	// serialization failure or a deadlock) on every attempt Transact made.
	ErrDBConflict = errors.New("transaction conflict")

	// ErrDBBadValue is a value Postgres could not take for its column: a
	// cursor sent back by a client can cause it, checked values never do.
	ErrDBBadValue = errors.New("value not valid for its column")
)

// Postgres error codes we act on.
const (
	uniqueViolation      = "23505"
	fkViolation          = "23503"
	undefinedTable       = "42P01"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
	queryCanceled        = "57014" // statement_timeout, or a cancel request
	lockNotAvailable     = "55P03" // lock_timeout
)

// unavailableClasses are the classes of error codes that mean "not now"
// rather than "not this": connection exceptions, insufficient resources,
// operator intervention (a shutdown) and system errors.
var unavailableClasses = []string{"08", "53", "57", "58"}

// translate maps driver errors to the package's sentinel errors, keeping
// the original in the chain. nil stays nil.
func translate(err error) error {
	if err == nil || errors.Is(err, ErrDBUnavailable) || errors.Is(err, ErrDBConflict) {
		return err
	}

	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		code := pgErr.Code
		class := code[:min(len(code), 2)] // a SQLSTATE's class is its first two characters
		switch {
		case code == uniqueViolation:
			return fmt.Errorf("%w: %s: %w", ErrDBDuplicatedEntry, pgErr.ConstraintName, err)
		case code == fkViolation:
			return fmt.Errorf("%w: %s: %w", ErrDBReferenced, pgErr.ConstraintName, err)
		case code == undefinedTable:
			return fmt.Errorf("undefined table (is the database migrated?): %w", err)
		case code == serializationFailure || code == deadlockDetected:
			return fmt.Errorf("%w: %w", ErrDBConflict, err)
		case code == queryCanceled || code == lockNotAvailable || slices.Contains(unavailableClasses, class):
			return fmt.Errorf("%w: %w", ErrDBUnavailable, err)
		case class == "22": // data exception
			return fmt.Errorf("%w: %w", ErrDBBadValue, err)
		}
		return err
	}

	if isConnectionError(err) {
		return fmt.Errorf("%w: %w", ErrDBUnavailable, err)
	}
	return err
}

// isConnectionError reports whether err is the connection failing or cut
// short (a deadline, a network error) rather than the statement wrong.
func isConnectionError(err error) bool {
	var netErr net.Error
	var connectErr *pgconn.ConnectError
	return errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, context.Canceled) ||
		pgconn.Timeout(err) ||
		errors.As(err, &connectErr) ||
		errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, net.ErrClosed) ||
		errors.Is(err, pgconn.ErrConnClosed)
}

// Constraint names the constraint a statement broke (ErrDBReferenced,
// ErrDBDuplicatedEntry), or "", for a store to tell which it was.
func Constraint(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName
	}
	return ""
}
