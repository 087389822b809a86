// Load measures the sales-api under load against a bare baseline on the
// same machine, in the same run, in alternating rounds, and prints a
// table of requests a second, latency, errors and the ratio to the
// baseline. It starts everything it needs: a scratch Postgres seeded to the
// size asked for, the real sales-api binary with its default settings, and
// the baseline (this program as `load bare`). Traffic goes to loopback
// only, for a bounded time.
//
//	load [--rows N] [--users N] [--duration D] [--rounds N] [--conns N] [--scenarios a,b] [--api PATH]
//	load --flat 10000,1000000
//	load bare --addr A --db URL --keys DIR --issuer I
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		fs := flag.NewFlagSet("bare", flag.ExitOnError)
		addr := fs.String("addr", "127.0.0.1:0", "listen address")
		db := fs.String("db", "", "database URL")
		keys := fs.String("keys", "", "keys folder")
		issuer := fs.String("issuer", "garagesale", "token issuer")
		_ = fs.Parse(os.Args[2:])
		if err := bare(*addr, *db, *keys, *issuer); err != nil {
			fmt.Fprintln(os.Stderr, "load bare:", err)
			os.Exit(1)
		}
		return
	}

	var cfg config
	flag.IntVar(&cfg.rows, "rows", 10_000, "products in the table (a million seeds in about a minute)")
	flag.IntVar(&cfg.users, "users", 1_000, "extra users in the table")
	flag.DurationVar(&cfg.duration, "duration", 5*time.Second, "length of each round of each scenario")
	flag.IntVar(&cfg.rounds, "rounds", 3, "rounds, alternating the API and the baseline")
	flag.IntVar(&cfg.conns, "conns", 32, "concurrent connections")
	scenarios := flag.String("scenarios", strings.Join(scenarioNames(), ","), "scenarios to run, in order")
	flag.StringVar(&cfg.apiBin, "api", "./bin/sales-api", "the sales-api binary")
	flag.StringVar(&cfg.adminBin, "admin", "./bin/sales-admin", "the sales-admin binary, which migrates and seeds")
	flag.IntVar(&cfg.flatSamples, "flat-samples", 31, "--flat: requests in a row each figure is the median of")
	flag.DurationVar(&cfg.dbLatency, "db-latency", 0, "delay every byte between Postgres and the API, and between Postgres and the baseline, by `D` each way, as a network between hosts would (e.g. 250us)")
	flag.IntVar(&cfg.ingestLines, "ingest-lines", 20_000, "lines of each round of the ingest scenario")
	flat := flag.String("flat", "", "instead of the scenarios: for each table size (10000,1000000), the p50 of page 1 and of a page 90% deep by cursor")
	flag.StringVar(&cfg.apiLog, "api-log", "", "write the API's log to `FILE` (default: discarded); --flat writes one a size, FILE.SIZE")
	flag.StringVar(&cfg.profile, "profile", "", "write a CPU profile of the API's first round of each scenario to `DIR`/SCENARIO.pprof")
	flag.Parse()
	cfg.scenarios = strings.Split(*scenarios, ",")
	for _, n := range strings.Split(*flat, ",") {
		if n == "" {
			continue
		}
		rows, err := strconv.Atoi(strings.ReplaceAll(n, "_", ""))
		if err != nil || rows < 100 {
			fmt.Fprintf(os.Stderr, "load: --flat wants table sizes of 100 or more, got %q\n", n)
			os.Exit(2)
		}
		// Each size's stack has a database named for its size, and all
		// run at once.
		if slices.Contains(cfg.flat, rows) {
			fmt.Fprintf(os.Stderr, "load: --flat names %d twice\n", rows)
			os.Exit(2)
		}
		cfg.flat = append(cfg.flat, rows)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

type config struct {
	rows, users   int
	duration      time.Duration
	rounds, conns int
	scenarios     []string
	apiBin        string
	adminBin      string
	profile       string
	apiLog        string
	flat          []int
	ingestLines   int
	flatSamples   int
	dbLatency     time.Duration
}
