// Pgrun runs a command with a local PostgreSQL server started from the
// installed binaries, then stops the server and exits with the command's
// status. The command gets SALES_DB_* naming the application database
// (--db, created if missing) and SALES_TEST_DB_URL naming the "postgres"
// maintenance database, where tests may create their own. With --serve
// there is no command: the server runs until SIGINT or SIGTERM (the fleet
// runs Postgres this way). With --data the cluster is kept in DIR and,
// while it runs, DIR/connection.env holds its SALES_DB_* settings and a
// DATABASE_URL for programs started elsewhere (sales-admin, make psql).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/garagesale/service/api/tooling/pgrun/connfile"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/pgserver"
	"github.com/jackc/pgx/v5"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run is pgrun given its arguments; it returns the exit status.
func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("pgrun", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "", "keep the cluster's data in `DIR` (default: a throwaway cluster)")
	port := fs.Int("port", 0, "TCP port on 127.0.0.1 (default: a free one)")
	dbName := fs.String("db", "postgres", "application database `NAME`, created if missing")
	serve := fs.Bool("serve", false, "run no command: keep the server up until SIGINT or SIGTERM")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: pgrun [--data DIR] [--port N] [--db NAME] -- COMMAND [ARGS...]\n       pgrun --serve [--data DIR] [--port N] [--db NAME]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if (fs.NArg() == 0) != *serve {
		fs.Usage()
		return 2
	}

	log := slog.New(slog.NewTextHandler(stderr, nil)).With("prog", "pgrun")
	fail := func(err error) int {
		fmt.Fprintf(stderr, "pgrun: %v\n", err)
		return 1
	}

	// Catch the signals from the start, so a Ctrl-C while postgres starts
	// up does not leave it running; the command gets them once it runs.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)

	ctx := context.Background()
	srv, err := pgserver.Start(ctx, pgserver.Config{DataDir: *dataDir, Port: *port, Log: log.Info})
	switch {
	case errors.Is(err, pgserver.ErrPortInUse):
		return fail(fmt.Errorf("port %d on 127.0.0.1 is taken by another program: choose another with --port (for make run: make run DB_PORT=%d)", *port, *port+1))
	case errors.Is(err, pgserver.ErrDataDirInUse):
		return fail(fmt.Errorf("%w (another make run, or the fleet's postgres: make down stops the fleet)", err))
	case err != nil:
		return fail(err)
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			fmt.Fprintf(stderr, "pgrun: stop postgres: %v\n", err)
			return
		}
		log.Info("postgres stopped", "host", srv.Host())
	}()

	if err := createDatabase(ctx, srv, *dbName); err != nil {
		return fail(err)
	}

	dbVars := []connfile.Var{
		{Name: "SALES_DB_HOST", Value: srv.Host()},
		{Name: "SALES_DB_USER", Value: srv.User()},
		{Name: "SALES_DB_PASSWORD", Value: srv.Password()},
		{Name: "SALES_DB_NAME", Value: *dbName},
		{Name: "SALES_DB_TLS_MODE", Value: "disable"},
	}
	if *dataDir != "" {
		// Removed before the server is stopped (defers run in reverse):
		// only a crash of pgrun leaves the file behind its server.
		path := filepath.Join(*dataDir, connfile.Name)
		fileVars := append(slices.Clone(dbVars), connfile.Var{Name: "DATABASE_URL", Value: srv.URL(*dbName)})
		if err := connfile.Write(path, connFileHeader, fileVars); err != nil {
			return fail(err)
		}
		defer func() {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				fmt.Fprintf(stderr, "pgrun: remove the connection file: %v\n", err)
			}
		}()
		log.Info("connection settings written", "file", path, "use", "set -a; . "+path+"; set +a")
	}

	// A Ctrl-C while postgres started is the command's stop too: started
	// now, it would get the signal before it could handle it, or not at
	// all, and run on.
	select {
	case sig := <-sigs:
		log.Info("stopping before the command starts", "signal", sig.String())
		return 128 + int(sig.(syscall.Signal))
	default:
	}

	if *serve {
		log.Info("postgres ready: SIGINT or SIGTERM stops it", "host", srv.Host())
		<-sigs
		return 0
	}

	cmd := exec.Command(fs.Arg(0), fs.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "SALES_TEST_DB_URL="+srv.URL("postgres"))
	for _, v := range dbVars {
		cmd.Env = append(cmd.Env, v.Name+"="+v.Value)
	}
	if err := cmd.Start(); err != nil {
		return fail(err)
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
		return fail(err)
	}
}

// connFileHeader opens the connection file of a kept cluster.
const connFileHeader = `Written by pgrun while its Postgres runs; removed when it stops.
Settings of that server for sales-admin (which reads this file when run
from the repo root with no SALES_DB_* set) and psql "$DATABASE_URL".
In a shell, export them with: set -a; . THIS_FILE; set +a
(a plain ". THIS_FILE" sets them for the shell alone, not its programs).`

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
	if !exists {
		if _, err := db.ExecContext(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			return fmt.Errorf("create database %s: %w", name, err)
		}
	}
	return nil
}
