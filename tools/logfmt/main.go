// Command logfmt reads the services' JSON log lines on stdin and prints
// them for humans, one line each: time, level, service, short trace ID,
// message, then the other fields as key=value. Lines that are not JSON
// (a panic's stack, a shell's output) pass through as they are.
//
//	./bin/sales-api | ./bin/logfmt -trace 4bf92f35
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/garagesale/service/tools/internal/logfmt"
)

func main() {
	var opts logfmt.Options
	flag.StringVar(&opts.Service, "service", "", "print only lines of this service")
	flag.StringVar(&opts.Trace, "trace", "", "print only lines whose trace_id starts with this")
	color := flag.Bool("color", false, "colour the output even when it is not a terminal")
	flag.Parse()
	opts.Color = *color || logfmt.WantsColor(os.Stdout)

	// logfmt sits at the end of a pipe: on Ctrl-C it must outlive the
	// service so the service's shutdown lines still get printed. It ends
	// when the service closes its output.
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM)

	if err := logfmt.Copy(os.Stdin, os.Stdout, opts); err != nil {
		fmt.Fprintln(os.Stderr, "logfmt:", err)
		os.Exit(1)
	}
}
