package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/jmoiron/sqlx"
)

var migrateCmd = Command{
	Name:  "migrate",
	Short: "apply every pending schema migration; migrate status lists them",
	Usage: `Usage:
  sales-admin migrate
  sales-admin migrate status

migrate  applies every schema migration the database does not have yet.
         Safe to run from two places at once: one waits for the other. A
         migration that waits past 5s for a table's lock (while it waits,
         the table's other queries queue behind it) gives up and is tried
         again, up to 8 times in about a minute and a half.
status   lists every migration with its version, its name and when it was
         applied (or that it is pending), and says how many are pending.
         It applies nothing (on a database never migrated it does create
         goose's empty version table) and does not wait for a migration
         running elsewhere.`,
	Run: func(ctx context.Context, env Env, args []string) error {
		status := slices.Equal(args, []string{"status"})
		if len(args) > 0 && !status {
			return fmt.Errorf("unknown migrate arguments %q: want none (apply) or status", args)
		}
		db, err := openDB(ctx, env)
		if err != nil {
			return err
		}
		defer db.Close()

		if status {
			return migrationStatus(ctx, env.Out, db)
		}
		// A wait for a table's lock is said as it happens: an operator
		// watching a deploy sees why it takes longer.
		wait := migrate.OnLockWait(func(attempt int, wait time.Duration, err error) {
			fmt.Fprintf(env.Err, "migrate: a table was locked past the lock timeout (attempt %d): trying again in %s: %v\n", attempt, wait, err)
		})
		if err := migrate.Migrate(ctx, db, wait); err != nil {
			return err
		}
		fmt.Fprintln(env.Out, "migrations complete")
		return nil
	},
}

func migrationStatus(ctx context.Context, out io.Writer, db *sqlx.DB) error {
	list, dbVersion, err := migrate.Status(ctx, db)
	if err != nil {
		return err
	}

	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tNAME\tSTATE\tAPPLIED AT")
	pending, known := 0, int64(0)
	for _, m := range list {
		state, at := "applied", m.AppliedAt.UTC().Format("2006-01-02 15:04:05 UTC")
		if !m.Applied {
			state, at = "pending", "-"
			pending++
		}
		known = max(known, m.Version)
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", m.Version, m.Name, state, at)
	}
	if err := w.Flush(); err != nil {
		return err
	}

	if pending == 0 {
		fmt.Fprintf(out, "all %d migrations applied\n", len(list))
	} else {
		fmt.Fprintf(out, "%d of %d migrations pending: 'sales-admin migrate' applies them\n", pending, len(list))
	}
	// A rollback to an older build leaves the schema ahead of the code.
	if dbVersion > known {
		fmt.Fprintf(out, "the database is at version %d, past the %d this sales-admin knows: a newer build migrated it\n", dbVersion, known)
	}
	return nil
}

var seedCmd = Command{
	Name:  "seed",
	Short: "add the development users and data (idempotent; needs --dev)",
	Usage: `Usage: sales-admin seed --dev

Adds admin@example.com (ADMIN) and user@example.com (USER), both with the
password "gophers", and their sample data. Rows that exist are left alone.
Those passwords are public, so seed runs only when told with --dev that
the database is a development one.`,
	Run: func(ctx context.Context, env Env, args []string) error {
		if !slices.Equal(args, []string{"--dev"}) {
			return errors.New("seed adds users whose password is public (admin@example.com / gophers): run it on a development database only, as 'sales-admin seed --dev'")
		}
		db, err := openDB(ctx, env)
		if err != nil {
			return err
		}
		defer db.Close()

		if err := migrate.Seed(ctx, db); err != nil {
			return err
		}
		fmt.Fprintln(env.Out, "seed data complete")
		return nil
	},
}
