package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/garagesale/service/business/sdk/migrate"
)

var migrateCmd = Command{
	Name:  "migrate",
	Short: "apply every pending schema migration",
	Usage: `Usage: sales-admin migrate

Applies every schema migration the database does not have yet. Safe to run
from two places at once: one waits for the other.`,
	Run: func(ctx context.Context, env Env, args []string) error {
		if err := noArgs("migrate", args); err != nil {
			return err
		}
		db, err := openDB(ctx, env)
		if err != nil {
			return err
		}
		defer db.Close()

		if err := migrate.Migrate(ctx, db); err != nil {
			return err
		}
		fmt.Fprintln(env.Out, "migrations complete")
		return nil
	},
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
