// Command fleet runs the kit's whole system on one machine, without
// Docker: Postgres, the setup job, sales-api, the metrics sidecar,
// Prometheus and Jaeger, as the fleet file (zarf/fleet.yaml) describes
// them. Run it from the repository's root.
//
//	fleet up [--watch] [SERVICE...]   build, start in order, wait for health, detach
//	fleet down                        stop everything the fleet started
//	fleet ps                          instances, pids, ports, health, uptime, restarts
//	fleet logs [-f] [-trace ID] [SERVICE]  every instance's lines, interleaved
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
	"flag"
	"fmt"
	"io"
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
  logs [-f] [-n N] [-trace ID] [SERVICE]
                             the instances' log lines, interleaved; -f follows,
                             -trace keeps one request's (a trace_id's prefix)
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
			// A bare errUsage says nothing more; any other says what
			// was wrong before the usage reminds what is right.
			if err != errUsage {
				fmt.Fprintln(os.Stderr, "fleet:", err)
			}
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// usageError is a command line fleet cannot run, saying what is wrong
// with it; main prints it and then the usage.
type usageError struct{ msg string }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == errUsage }

// parseArgs parses a command's flags wherever they stand among its other
// arguments (fleet logs sales-api -n 3 as well as fleet logs -n 3
// sales-api), which the flag package alone does not: it stops at the
// first argument that is not a flag. After "--" everything is an
// argument. It returns the arguments that are not flags.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard) // the error says what was wrong; main prints the usage
	var rest []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, errUsage
		} else if err != nil {
			return nil, usageErrorf("%s: %v", fs.Name(), err)
		}
		left := fs.Args()
		if consumed := len(args) - len(left); consumed > 0 && args[consumed-1] == "--" {
			return append(rest, left...), nil
		}
		if len(left) == 0 {
			return rest, nil
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
}

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
	return usageErrorf("unknown command %q", cmd)
}

// options are what every command shares.
type options struct {
	root  string // the repository: the working directory
	file  string // the fleet file, relative to root
	state string // the state folder, relative to root
}
