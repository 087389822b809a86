// Pgrun runs a command with a local PostgreSQL server: it starts a cluster
// from the installed binaries, runs the command with the SALES_DB_* and
// SALES_TEST_DB_URL variables pointing at it, then stops the cluster and
// exits with the command's status.
//
//	pgrun [--data DIR] [--port N] [--db NAME] -- COMMAND [ARGS...]
//
// Without --data the cluster is thrown away when the command ends; with it,
// the data is kept in DIR for the next run. The application database is
// --db (default "postgres", the database every cluster has); another name
// is created if missing. SALES_TEST_DB_URL always names the "postgres"
// maintenance database, where tests may create their own databases.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/pgserver"
	"github.com/jackc/pgx/v5"
)

func main() {
	os.Exit(run())
}

func run() int {
	dataDir := flag.String("data", "", "keep the cluster's data in `DIR` (default: a throwaway cluster)")
	port := flag.Int("port", 0, "TCP port on 127.0.0.1 (default: a free one)")
	dbName := flag.String("db", "postgres", "application database `NAME`, created if missing")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: pgrun [--data DIR] [--port N] [--db NAME] -- COMMAND [ARGS...]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		return 2
	}

	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("prog", "pgrun")

	// Catch the signals from the start, so a Ctrl-C while postgres starts
	// up does not leave it running; the command gets them once it runs.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)

	ctx := context.Background()
	srv, err := pgserver.Start(ctx, pgserver.Config{DataDir: *dataDir, Port: *port, Log: log.Info})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgrun: %v\n", err)
		return 1
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgrun: stop postgres: %v\n", err)
		}
	}()

	if err := createDatabase(ctx, srv, *dbName); err != nil {
		fmt.Fprintf(os.Stderr, "pgrun: %v\n", err)
		return 1
	}

	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(),
		"SALES_DB_HOST="+srv.Host(),
		"SALES_DB_USER="+srv.User(),
		"SALES_DB_PASSWORD="+srv.Password(),
		"SALES_DB_NAME="+*dbName,
		"SALES_DB_TLS_MODE=disable",
		"SALES_TEST_DB_URL="+srv.URL("postgres"),
	)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "pgrun: %v\n", err)
		return 1
	}

	// A terminal's Ctrl-C reaches the command too (same process group); a
	// kill aimed at pgrun alone does not, so pass every signal on. The
	// server is in a session of its own and is stopped after the command.
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-sigs:
				_ = cmd.Process.Signal(sig)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)

	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exitErr):
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exitErr.ExitCode()
	default:
		fmt.Fprintf(os.Stderr, "pgrun: %v\n", err)
		return 1
	}
}

// createDatabase creates database name unless it exists.
func createDatabase(ctx context.Context, srv *pgserver.Server, name string) error {
	db, err := sqldb.OpenURL(srv.URL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var exists bool
	if err := db.GetContext(ctx, &exists, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name); err != nil {
		return fmt.Errorf("look for database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}
