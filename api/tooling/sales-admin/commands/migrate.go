package commands

import (
	"context"
	"fmt"

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
	Short: "add the development users and data (idempotent)",
	Usage: `Usage: sales-admin seed

Adds admin@example.com (ADMIN) and user@example.com (USER), both with the
password "gophers", and their sample data. Rows that exist are left alone.`,
	Run: func(ctx context.Context, env Env, args []string) error {
		if err := noArgs("seed", args); err != nil {
			return err
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
