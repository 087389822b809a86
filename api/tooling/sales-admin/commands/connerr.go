package commands

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/jackc/pgx/v5/pgconn"
)

// Postgres error codes a failed connection is told apart by.
const (
	cannotConnectNow     = "57P03" // the server is starting up or shutting down
	invalidCatalogName   = "3D000" // no such database
	invalidAuthorization = "28"    // class: wrong password, unknown user, no pg_hba entry
)

// connError is a failed connection told in a sentence a person can act
// on. The driver's error stays in the chain but not in the text: it repeats
// the host once per address tried and says nothing about what to do.
type connError struct {
	msg string
	err error
}

func (e *connError) Error() string { return e.msg }
func (e *connError) Unwrap() error { return e.err }

// connectError explains why the database of env could not be used: the
// server it tried, what went wrong in a few words, and how to fix it where
// the settings came from.
func connectError(env Env, err error) error {
	if errors.Is(err, context.Canceled) {
		return err // interrupted: nothing to explain
	}
	at := env.DB.Host
	if env.DBFrom.File != "" {
		at += " (from " + env.DBFrom.File + ")"
	}

	var msg string
	var pgErr *pgconn.PgError
	switch {
	case !errors.As(err, &pgErr):
		msg = fmt.Sprintf("cannot reach Postgres at %s: %s. %s", at, unreachable(env, err), reachFix(env))
	case strings.HasPrefix(pgErr.Code, invalidAuthorization):
		msg = fmt.Sprintf("Postgres at %s refused the login of user %q: %s. Check SALES_DB_USER and SALES_DB_PASSWORD.", at, env.DB.User, pgErr.Message)
	case pgErr.Code == invalidCatalogName:
		msg = fmt.Sprintf("Postgres at %s has no database %q: set SALES_DB_NAME to one it has, or create it.", at, env.DB.Name)
	case pgErr.Code == cannotConnectNow:
		msg = fmt.Sprintf("Postgres at %s is not accepting connections yet (%s): try again in a moment.", at, pgErr.Message)
	default:
		msg = fmt.Sprintf("Postgres at %s refused the connection: %s (SQLSTATE %s).", at, pgErr.Message, pgErr.Code)
	}
	return &connError{msg: msg, err: err}
}

// unreachable says in a few words why no connection was made.
func unreachable(env Env, err error) string {
	var dnsErr *net.DNSError
	var netErr net.Error
	var opErr *net.OpError
	var connectErr *pgconn.ConnectError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return fmt.Sprintf("no host is named %q", dnsErr.Name)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot look up %q: %s", dnsErr.Name, dnsErr.Err)
	case pgconn.Timeout(err), errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("no answer within %s", cmp.Or(env.DB.ConnectTimeout, sqldb.DefaultConnectTimeout))
	case errors.As(err, &opErr):
		return opErr.Err.Error()
	case strings.Contains(err.Error(), "failed to receive message") && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF):
		// (A server that takes the connection and closes it, as a proxy
		// before its backend is up, is no other protocol.)
		// pgx read a message header out of another protocol's answer
		// ("invalid body length ... 1414811691" is "TTP " of HTTP).
		return "something answers there, but not as Postgres does: is it another server's port?"
	case errors.As(err, &connectErr):
		// Without the user and database the driver puts first.
		return connectErr.Unwrap().Error()
	}
	return err.Error()
}

// reachFix says what to do about a server that cannot be reached, where
// its address came from.
func reachFix(env Env) string {
	switch {
	case env.DBFrom.File != "":
		return `That file names the Postgres of a "make run" that is no longer running: start "make run" again (a make run that was killed leaves the file behind: delete it), or set SALES_DB_HOST=host:port.`
	case env.DBFrom.Given:
		// A bare number is a port given where host:port belongs.
		if env.DB.Host != "" && strings.Trim(env.DB.Host, "0123456789") == "" {
			return fmt.Sprintf("%q is a port without a host: set SALES_DB_HOST=127.0.0.1:%s.", env.DB.Host, env.DB.Host)
		}
		return `Check that Postgres runs there and that SALES_DB_HOST (or --db-host) is its host:port, or unset it to use the database of a running "make run".`
	}
	return `Start it with "make run" (sales-admin run from the repo root then finds it), or set SALES_DB_HOST=host:port (and SALES_DB_USER, SALES_DB_PASSWORD, SALES_DB_NAME).`
}

// startingUp reports whether err says the server is still starting up.
func startingUp(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == cannotConnectNow
}
