// Package logfmt prints the services' JSON log lines for humans, one line
// each: time, level, service, short trace ID, message, then the other
// fields as key=value. Lines that are not JSON (a panic's stack, a shell's
// output) pass through as they are. The logfmt command and the fleet's
// logs use it.
package logfmt

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Options say what to print and how.
type Options struct {
	// Service keeps only the lines of this service.
	Service string
	// Trace keeps only the lines whose trace_id starts with this.
	Trace string
	// Color paints the output with ANSI colours.
	Color bool
}

// WantsColor reports whether output to f should be coloured: f is a
// terminal and NO_COLOR is not set.
func WantsColor(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("NO_COLOR") == ""
}

// Copy formats every line of in to out, flushing after each so that a
// line shows up as soon as the service writes it.
func Copy(in io.Reader, out io.Writer, opts Options) error {
	r := bufio.NewReaderSize(in, 64*1024)
	w := bufio.NewWriter(out)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			if s, ok := Format(bytes.TrimRight(line, "\r\n"), opts); ok {
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

// Format renders one line, and reports false when a filter drops it. A
// line that is not a JSON object is returned unchanged.
func Format(line []byte, opts Options) (string, bool) {
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
	if opts.Service != "" && service != opts.Service {
		return "", false
	}
	if opts.Trace != "" && !strings.HasPrefix(traceID, opts.Trace) {
		return "", false
	}

	paint := func(color, s string) string {
		if !opts.Color || s == "" {
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
// spaces, quotes or anything unprintable, everything else as compact JSON.
// A client's text reaches the log (a path, a header), and a control
// character printed raw would be a NUL that makes grep call the log
// binary, or an escape sequence the terminal runs.
func value(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) != nil {
		var buf bytes.Buffer
		if json.Compact(&buf, v) == nil {
			return buf.String()
		}
		return string(v)
	}
	if s == "" || strings.IndexFunc(s, needsQuote) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// needsQuote reports whether r may not stand in a bare value.
func needsQuote(r rune) bool {
	return r == ' ' || r == '"' || r == '=' || !unicode.IsPrint(r)
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
