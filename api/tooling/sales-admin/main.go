// Command sales-admin administers the sales service: schema migrations,
// seed data, signing keys, tokens, users and the daily public dump of
// sales.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/ardanlabs/conf/v3"
	"github.com/garagesale/service/api/tooling/sales-admin/commands"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/buildinfo"
	"github.com/garagesale/service/foundation/settings"
)

// version, commit and date are stamped at link time (see buildinfo.New).
var (
	version = "develop"
	commit  string
	date    string
)

// Config is every setting of sales-admin: the same SALES_ variables as
// sales-api. The DB settings default to those of a running make run (see
// localDB), then to the tags.
type Config struct {
	conf.Version
	Args conf.Args
	Auth struct {
		KeysFolder string        `conf:"default:zarf/keys/,help:folder of <kid>.pem RSA private keys (genkey writes there)"`
		ActiveKID  string        `conf:"help:kid that signs tokens; empty with one key in the folder uses that key"`
		Issuer     string        `conf:"default:garagesale,help:iss claim of the tokens gentoken issues (the same as the API)"`
		TokenTTL   time.Duration `conf:"default:1h,help:lifetime of the tokens gentoken issues"`
	}
	DB   sqldb.Conn
	Dump struct {
		To string `conf:"help:bucket URL dump writes to when --to does not say: file:///dir or s3://bucket?region=R"`
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := run(ctx); err != nil && !settings.Answered(err) {
		if ctx.Err() != nil {
			// Ctrl-C or SIGTERM: what was cut says so in its own words
			// (a cancelled statement), not as a failure of the database.
			fmt.Fprintln(os.Stderr, "sales-admin: interrupted:", err)
			stop()
			os.Exit(130)
		}
		fmt.Fprintln(os.Stderr, "sales-admin:", err)
		stop()
		os.Exit(1)
	}
}

// helpWanted returns the usage args ask for, with "help [COMMAND]" or
// "COMMAND ... --help", and the error run ends with: conf.ErrHelpWanted,
// or an unknown command's; nil when args ask for none. A command's own
// comes before conf's, which would print the settings of the whole tool
// instead; a bare --help is conf's, which adds the settings.
func helpWanted(args []string) (string, error) {
	switch {
	case len(args) > 0 && args[0] == "help":
		if len(args) == 1 {
			return commands.Overview(), conf.ErrHelpWanted
		}
		if cmd, ok := commands.Lookup(args[1]); ok {
			return cmd.Usage, conf.ErrHelpWanted
		}
		return commands.Overview(), fmt.Errorf("unknown command %q", args[1])
	case len(args) > 1 && (slices.Contains(args[1:], "--help") || slices.Contains(args[1:], "-h")):
		if cmd, ok := commands.Lookup(args[0]); ok {
			return cmd.Usage, conf.ErrHelpWanted
		}
	}
	return "", nil
}

func run(ctx context.Context) error {
	if usage, err := helpWanted(os.Args[1:]); err != nil {
		fmt.Println(usage)
		return err
	}

	// With no database named, make run's is used: its settings go into the
	// environment, under what was given, before conf reads it.
	fileVars, dbFrom, err := localDB(makeRunConnFile, os.LookupEnv, os.Args[1:])
	if err != nil {
		return err
	}
	for name, value := range fileVars {
		if err := os.Setenv(name, value); err != nil {
			return fmt.Errorf("set %s: %w", name, err)
		}
	}

	cfg := Config{Version: conf.Version{Build: buildinfo.New(version, commit, date).String(), Desc: "Administers the garagesale sales service"}}
	if _, err := settings.Parse("SALES", &cfg); err != nil {
		if errors.Is(err, conf.ErrHelpWanted) {
			fmt.Println(commands.Overview())
		}
		return err
	}

	cmd, ok := commands.Lookup(cfg.Args.Num(0))
	if !ok {
		fmt.Println(commands.Overview())
		if len(cfg.Args) == 0 {
			return errors.New("no command given")
		}
		return fmt.Errorf("unknown command %q", cfg.Args.Num(0))
	}

	env := commands.Env{
		DB: sqldb.Config{
			Conn:     cfg.DB,
			MaxConns: 2,
			// A server that does not answer fails the command within this
			// (one that refuses, at once), as the error message says.
			ConnectTimeout: 2 * time.Second,
			// Admin work (a migration, a large seed) may outrun a request.
			AcquireTimeout:   10 * time.Second,
			StatementTimeout: 30 * time.Minute,
			// A statement waiting for a table's lock queues every other
			// query of the table behind it: a migration gives up after
			// this and tries again (migrate.Migrate), rather than stall
			// the API for a minute.
			LockTimeout:     5 * time.Second,
			IdleInTxTimeout: time.Minute,
			// Named in pg_stat_activity, beside the API's connections.
			ApplicationName: "sales-admin",
		},
		DBFrom:     dbFrom,
		KeysFolder: cfg.Auth.KeysFolder,
		ActiveKID:  cfg.Auth.ActiveKID,
		Issuer:     cfg.Auth.Issuer,
		TokenTTL:   cfg.Auth.TokenTTL,
		Out:        os.Stdout,
		In:         os.Stdin,
		Err:        os.Stderr,
		DumpTo:     cfg.Dump.To,
	}
	return cmd.Run(ctx, env, cfg.Args[1:])
}
