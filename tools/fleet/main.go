// Command fleet runs the kit's whole system on one machine, without
// Docker: Postgres, the setup job, sales-api, the metrics sidecar,
// Prometheus and Jaeger, as the fleet file (zarf/fleet.yaml) describes
// them. Run it from the repository's root.
//
//	fleet up [--watch] [SERVICE...]   build, start in order, wait for health, detach
//	fleet down                        stop everything the fleet started
//	fleet ps                          instances, pids, ports, health, uptime, restarts
//	fleet logs [-f] [SERVICE]         every instance's lines, interleaved
//	fleet restart SERVICE             one instance at a time
//	fleet scale SERVICE=N             N instances on their own ports
//	fleet trace TRACE_ID              a trace's span tree, from Jaeger
//
// A supervisor process started by up owns the processes; its state is in
// .fleet/ (state.json, fleet.log, the built binaries), so the commands
// work from any terminal.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// usage is what fleet prints for help.
const usage = `usage: fleet COMMAND [ARGS]

  up [--watch] [SERVICE...]  build and start the fleet (or the services named and
                             what they need), wait until healthy, and return;
                             --watch rebuilds and restarts on Go changes
  down                       stop everything the fleet started
  ps                         every instance: pid, ports, health, uptime, restarts
  logs [-f] [-n N] [SERVICE] the instances' log lines, interleaved; -f follows
  restart SERVICE            restart its instances one at a time
  scale SERVICE=N            run N instances of a service on their own ports
  trace [--jaeger URL] ID    print a trace's span tree from the fleet's Jaeger

Flags before the command:
  --file PATH   the fleet file (default zarf/fleet.yaml)
  --state DIR   the state folder (default .fleet)`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		stop()
		if errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string) error {
	opts := options{file: "zarf/fleet.yaml", state: ".fleet"}
	for len(args) > 1 && (args[0] == "--file" || args[0] == "--state") {
		switch args[0] {
		case "--file":
			opts.file = args[1]
		case "--state":
			opts.state = args[1]
		}
		args = args[2:]
	}
	if len(args) == 0 {
		return errUsage
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	opts.root = root

	cmd, rest := args[0], args[1:]
	switch cmd {
	case "up":
		return up(ctx, opts, rest)
	case "down":
		return down(ctx, opts)
	case "ps":
		return ps(ctx, opts, os.Stdout)
	case "logs":
		return logs(ctx, opts, rest, os.Stdout)
	case "restart":
		return restart(ctx, opts, rest)
	case "scale":
		return scale(ctx, opts, rest)
	case "trace":
		return trace(ctx, opts, rest, os.Stdout)
	case "supervise":
		return supervise(ctx, opts, rest)
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	}
	fmt.Fprintf(os.Stderr, "fleet: unknown command %q\n", cmd)
	return errUsage
}

// options are what every command shares.
type options struct {
	root  string // the repository: the working directory
	file  string // the fleet file, relative to root
	state string // the state folder, relative to root
}
