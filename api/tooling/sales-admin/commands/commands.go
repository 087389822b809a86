// Package commands holds the sub-commands of sales-admin, one file each.
package commands

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/garagesale/service/business/domain"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/jmoiron/sqlx"
)

// Env is what a command may use.
type Env struct {
	DB sqldb.Config
	// DBFrom is where DB's host came from; a failed connection says how
	// to fix it there.
	DBFrom     DBOrigin
	KeysFolder string
	ActiveKID  string
	Issuer     string
	TokenTTL   time.Duration
	Out        io.Writer
	// In is standard input, for what must not be a flag (a password).
	In io.Reader
	// Err receives notices that are not the command's output; nil discards them.
	Err io.Writer
	// DumpTo is the bucket URL dump writes to when --to does not say.
	DumpTo string
	// Now is the clock of a command that names a day relative to today;
	// nil is the wall clock.
	Now func() time.Time
}

// DBOrigin is where the database settings came from.
type DBOrigin struct {
	// File is the connection file of a running make run that supplied them.
	File string
	// Given is true when the host was set explicitly (SALES_DB_HOST or
	// --db-host); with neither Given nor File it is the default.
	Given bool
}

// Command is one sub-command.
type Command struct {
	Name  string
	Short string
	Usage string
	Run   func(ctx context.Context, env Env, args []string) error
}

var all = []Command{migrateCmd, seedCmd, genkeyCmd, gentokenCmd, usersCmd, dumpCmd, ingestCmd}

// Lookup returns the command called name.
func Lookup(name string) (Command, bool) {
	for _, c := range all {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// Overview lists the commands and where the database settings come from.
func Overview() string {
	var b strings.Builder
	b.WriteString("COMMANDS\n")
	for _, c := range all {
		fmt.Fprintf(&b, "  %-10s %s\n", c.Name, c.Short)
	}
	b.WriteString(`
DATABASE
  The SALES_DB_* variables (or --db-* flags before the command) name the
  database. With no host given (SALES_DB_HOST, --db-host), sales-admin run
  from the repo root while "make run" runs uses make run's Postgres, read
  from .data/pg/connection.env; variables given still win over the file.
  Otherwise the default is localhost:5432.

Run 'sales-admin COMMAND --help' (or 'sales-admin help COMMAND') for a command's usage.`)
	return b.String()
}

// startupWait bounds how long a command waits for a server that answers
// but is still starting up. A server that refuses the connection, or does
// not answer within the connect timeout, fails the command at once: the
// person at the terminal wants to hear it now, with what to do.
const startupWait = 10 * time.Second

// openDB opens the database of env and checks that it answers.
func openDB(ctx context.Context, env Env) (*sqlx.DB, error) {
	if env.DBFrom.File != "" && env.Err != nil {
		fmt.Fprintf(env.Err, "using the database of make run: %s (%s)\n", env.DB.Host, env.DBFrom.File)
	}
	db, err := sqldb.Open(env.DB)
	if err != nil {
		return nil, err
	}
	if err := waitStarted(ctx, db.DB); err != nil {
		db.Close()
		return nil, connectError(env, err)
	}
	return db.DB, nil
}

// waitStarted pings db until it answers, retrying only while the server
// says it is starting up, for at most startupWait.
func waitStarted(ctx context.Context, db *sqlx.DB) error {
	ctx, cancel := context.WithTimeout(ctx, startupWait)
	defer cancel()
	for {
		err := db.PingContext(ctx)
		if err == nil || !startingUp(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func noArgs(name string, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%s takes no arguments, got %q", name, args)
	}
	return nil
}

// userBusiness returns the user domain over db, built as the API's is.
func userBusiness(db *sqlx.DB) *userbus.Business {
	return domain.New(domain.Config{DB: db}).User
}
