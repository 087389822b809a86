// Command logfmt reads the services' JSON log lines on stdin and prints
// them for humans, one line each: time, level, service, short trace ID,
// message, then the other fields as key=value. Lines that are not JSON
// (a panic's stack, a shell's output) pass through as they are.
//
//	./bin/sales-api | ./bin/logfmt -trace 4bf92f35
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	var opts options
	flag.StringVar(&opts.service, "service", "", "print only lines of this service")
	flag.StringVar(&opts.trace, "trace", "", "print only lines whose trace_id starts with this")
	color := flag.Bool("color", false, "colour the output even when it is not a terminal")
	flag.Parse()
	opts.color = *color || (isTerminal(os.Stdout) && os.Getenv("NO_COLOR") == "")

	// logfmt sits at the end of a pipe: on Ctrl-C it must outlive the
	// service so the service's shutdown lines still get printed. It ends
	// when the service closes its output.
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM)

	if err := run(os.Stdin, os.Stdout, opts); err != nil {
		fmt.Fprintln(os.Stderr, "logfmt:", err)
		os.Exit(1)
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// options say what to print and how.
type options struct {
	service string
	trace   string
	color   bool
}

// run formats every line of in to out, flushing after each so that a
// line shows up as soon as the service writes it.
func run(in io.Reader, out io.Writer, opts options) error {
	r := bufio.NewReaderSize(in, 64*1024)
	w := bufio.NewWriter(out)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			if s, ok := format(bytes.TrimRight(line, "\r\n"), opts); ok {
				w.WriteString(s)
				w.WriteByte('\n')
				if err := w.Flush(); err != nil {
					return fmt.Errorf("write: %w", err)
				}
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
	}
}

// field is one key and its raw JSON value, in the order the line has.
type field struct {
	key   string
	value json.RawMessage
}

// ANSI colours.
const (
	reset  = "\033[0m"
	bold   = "\033[1m"
	dim    = "\033[2m"
	red    = "\033[31m"
	green  = "\033[32m"
	yellow = "\033[33m"
	blue   = "\033[34m"
	cyan   = "\033[36m"
)

// The fields that have a column of their own.
var columns = map[string]bool{"time": true, "level": true, "service": true, "trace_id": true, "msg": true}

// noTrace is the trace_id of lines logged outside a request.
const noTrace = "00000000000000000000000000000000"

// format renders one line, and reports false when a filter drops it. A
// line that is not a JSON object is returned unchanged.
func format(line []byte, opts options) (string, bool) {
	fields, err := parse(line)
	if err != nil {
		return string(line), true
	}

	get := func(key string) string {
		for _, f := range fields {
			if f.key == key {
				return text(f.value)
			}
		}
		return ""
	}

	service, traceID := get("service"), get("trace_id")
	if opts.service != "" && service != opts.service {
		return "", false
	}
	if opts.trace != "" && !strings.HasPrefix(traceID, opts.trace) {
		return "", false
	}

	paint := func(color, s string) string {
		if !opts.color || s == "" {
			return s
		}
		return color + s + reset
	}

	var b strings.Builder
	b.WriteString(paint(dim, shortTime(get("time"))))
	b.WriteByte(' ')
	level := get("level")
	b.WriteString(paint(levelColor(level), fmt.Sprintf("%-5s", level)))
	b.WriteByte(' ')
	b.WriteString(paint(blue, service))
	b.WriteByte(' ')
	b.WriteString(paint(dim, shortTrace(traceID)))
	b.WriteByte(' ')
	b.WriteString(paint(bold, get("msg")))

	for _, f := range fields {
		if columns[f.key] {
			continue
		}
		b.WriteByte(' ')
		b.WriteString(paint(cyan, f.key))
		b.WriteByte('=')
		if f.key == "source" {
			b.WriteString(source(f.value))
			continue
		}
		b.WriteString(value(f.value))
	}
	return b.String(), true
}

// parse reads a JSON object's fields in order; slog writes them in the
// order that reads best (time, level, source, msg, ...).
func parse(line []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var fields []field
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		fields = append(fields, field{key: key, value: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the object")
	}
	return fields, nil
}

// text is a JSON string's content, or the raw JSON of any other value.
func text(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

// value is how a field's value prints: strings bare unless they hold
// spaces or quotes, everything else as compact JSON.
func value(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) != nil {
		var buf bytes.Buffer
		if json.Compact(&buf, v) == nil {
			return buf.String()
		}
		return string(v)
	}
	if s == "" || strings.ContainsAny(s, " \t\n\"=") {
		return strconv.Quote(s)
	}
	return s
}

// source prints slog's {"function","file","line"} as file.go:12.
func source(v json.RawMessage) string {
	var src struct {
		File string `json:"file"`
		Line int    `json:"line"`
	}
	if json.Unmarshal(v, &src) != nil || src.File == "" {
		return value(v)
	}
	return fmt.Sprintf("%s:%d", filepath.Base(src.File), src.Line)
}

// shortTime keeps the time of day with milliseconds; the date is noise
// when reading a live log.
func shortTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.Format("15:04:05.000")
}

// shortTrace keeps the first 8 hex digits, enough to tell requests apart
// and to pass to -trace; lines outside a request get dashes.
func shortTrace(id string) string {
	switch {
	case id == "" || id == noTrace:
		return "--------"
	case len(id) > 8:
		return id[:8]
	}
	return id
}

func levelColor(level string) string {
	switch level {
	case "ERROR":
		return red
	case "WARN":
		return yellow
	case "INFO":
		return green
	}
	return dim
}
