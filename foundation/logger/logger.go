// Package logger writes structured JSON logs with log/slog, one line per
// event, each carrying the service name and the request's trace ID.
package logger

import (
	"cmp"
	"context"
	"io"
	"log"
	"log/slog"
	"os"
	"runtime"
	"time"
)

// Level is a log level.
type Level = slog.Level

// Levels.
const (
	LevelDebug = slog.LevelDebug
	LevelInfo  = slog.LevelInfo
	LevelWarn  = slog.LevelWarn
	LevelError = slog.LevelError
)

// Logger is a slog logger that adds the context's trace ID to every record.
type Logger struct {
	handler slog.Handler
	traceID func(ctx context.Context) string
	// flush, when the writer is a Buffer, writes its lines at once.
	flush func() error
}

// New returns a Logger writing JSON to w at minLevel. Every line carries
// service and the trace ID that traceID, which may be nil, finds in ctx.
func New(w io.Writer, minLevel Level, service string, traceID func(ctx context.Context) string) *Logger {
	if w == nil {
		w = os.Stdout
	}
	if traceID == nil {
		traceID = func(context.Context) string { return "" }
	}
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{AddSource: true, Level: minLevel})
	l := &Logger{
		handler: h.WithAttrs([]slog.Attr{slog.String("service", service)}),
		traceID: traceID,
	}
	if b, ok := w.(*Buffer); ok {
		l.flush = b.Flush
	}
	return l
}

// Discard returns a Logger that writes nothing, for tests that read no logs.
func Discard() *Logger {
	return New(io.Discard, LevelError+1, "discard", nil)
}

// Debug logs at debug level.
func (l *Logger) Debug(ctx context.Context, msg string, args ...any) {
	l.write(ctx, LevelDebug, msg, args...)
}

// Info logs at info level.
func (l *Logger) Info(ctx context.Context, msg string, args ...any) {
	l.write(ctx, LevelInfo, msg, args...)
}

// Warn logs at warn level.
func (l *Logger) Warn(ctx context.Context, msg string, args ...any) {
	l.write(ctx, LevelWarn, msg, args...)
}

// Error logs at error level.
func (l *Logger) Error(ctx context.Context, msg string, args ...any) {
	l.write(ctx, LevelError, msg, args...)
}

func (l *Logger) write(ctx context.Context, level Level, msg string, args ...any) {
	if ctx == nil {
		ctx = context.Background()
	}
	if !l.handler.Enabled(ctx, level) {
		return
	}

	var pcs [1]uintptr
	runtime.Callers(3, pcs[:]) // the caller of Debug, Info, Warn or Error

	r := slog.NewRecord(time.Now().UTC(), level, msg, pcs[0])
	r.Add("trace_id", cmp.Or(l.traceID(ctx), "00000000000000000000000000000000"))
	r.Add(args...)

	// A failed log write has nowhere better to go.
	_ = l.handler.Handle(ctx, r)
	if level >= LevelWarn && l.flush != nil {
		_ = l.flush()
	}
}

// NewStdLogger returns a *log.Logger that writes through l at level, for
// libraries such as net/http that log with the standard logger.
func NewStdLogger(l *Logger, level Level) *log.Logger {
	return slog.NewLogLogger(l.handler, level)
}
