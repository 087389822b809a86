// Package commands holds the sub-commands of sales-admin, one file each.
package commands

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/domain/auditbus/stores/auditdb"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/domain/userbus/stores/userdb"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/logger"
	"github.com/jmoiron/sqlx"
)

// Env is what a command may use.
type Env struct {
	DB         sqldb.Config
	KeysFolder string
	ActiveKID  string
	Issuer     string
	TokenTTL   time.Duration
	Out        io.Writer
	// In is standard input, for what must not be a flag (a password).
	In io.Reader
}

// Command is one sub-command.
type Command struct {
	Name  string
	Short string
	Usage string
	Run   func(ctx context.Context, env Env, args []string) error
}

var all = []Command{migrateCmd, seedCmd, genkeyCmd, gentokenCmd, usersCmd}

// Lookup returns the command called name.
func Lookup(name string) (Command, bool) {
	for _, c := range all {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// Overview lists the commands.
func Overview() string {
	var b strings.Builder
	b.WriteString("COMMANDS\n")
	for _, c := range all {
		fmt.Fprintf(&b, "  %-10s %s\n", c.Name, c.Short)
	}
	b.WriteString("\nRun 'sales-admin COMMAND --help' for a command's usage.")
	return b.String()
}

// openDB opens the database of env and waits up to 10s for it.
func openDB(ctx context.Context, env Env) (*sqlx.DB, error) {
	db, err := sqldb.Open(env.DB)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqldb.StatusCheck(ctx, db.DB); err != nil {
		db.Close()
		return nil, fmt.Errorf("database at %s: %w", env.DB.Host, err)
	}
	return db.DB, nil
}

func noArgs(name string, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%s takes no arguments, got %q", name, args)
	}
	return nil
}

// userBusiness returns the user domain over db, audited like the API's.
func userBusiness(db *sqlx.DB) *userbus.Business {
	return userbus.NewBusiness(userbus.Config{
		Log:      logger.Discard(),
		Beginner: sqldb.NewBeginner(db),
		Storer:   userdb.NewStore(db),
		Audit:    auditbus.NewBusiness(auditdb.NewStore(db), nil),
	})
}
