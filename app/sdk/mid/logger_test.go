package mid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/foundation/logger"
	"github.com/garagesale/service/foundation/web"
)

// slowStream is an answer written after the handler returns, taking a
// while, with an outcome of its own.
type slowStream struct{}

func (slowStream) Stream(context.Context, http.ResponseWriter) (int, error) {
	time.Sleep(50 * time.Millisecond)
	return http.StatusOK, nil
}

func (slowStream) Outcome() []any { return []any{"lines", 3, "stopped", "no line came for 30s"} }

// TestLoggerLogsAStreamWhenItEnds: an upload's line is written when its
// stream ends, with how long it ran and how it went, not when the handler
// hands the stream over (microseconds in, nothing known yet).
func TestLoggerLogsAStreamWhenItEnds(t *testing.T) {
	var buf bytes.Buffer
	log := logger.New(&buf, logger.LevelInfo, "test", nil)
	h := mid.Logger(log)(func(context.Context, *http.Request) (any, error) { return slowStream{}, nil })
	resp, err := h(context.Background(), httptest.NewRequest(http.MethodPost, "/v1/sales/ingest", nil))
	if err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Fatalf("logged before the stream ran: %s", buf.String())
	}
	if _, err := web.Respond(context.Background(), httptest.NewRecorder(), resp); err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	since, _ := time.ParseDuration(line["since"].(string))
	if line["msg"] != "request completed" || since < 50*time.Millisecond || line["lines"] != float64(3) ||
		!strings.Contains(line["stopped"].(string), "no line came") {
		t.Errorf("log line %v: want the stream's end, its duration and outcome", line)
	}
}

// panickingStream is an answer that panics once it has begun.
type panickingStream struct{ slowStream }

func (panickingStream) Stream(_ context.Context, w http.ResponseWriter) (int, error) {
	w.WriteHeader(http.StatusOK)
	panic("assignment to entry in nil map")
}

// TestLoggerLogsAStreamsPanic: a stream's panic is an error in the log,
// with its stack and the stream's outcome, as a handler's panic is; the
// stream's own recovery logged it as a completed request.
func TestLoggerLogsAStreamsPanic(t *testing.T) {
	var buf bytes.Buffer
	log := logger.New(&buf, logger.LevelInfo, "test", nil)
	h := mid.Logger(log)(mid.Panics()(func(context.Context, *http.Request) (any, error) { return panickingStream{}, nil }))
	resp, err := h(context.Background(), httptest.NewRequest(http.MethodPost, "/v1/sales/ingest", nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := web.Respond(context.Background(), httptest.NewRecorder(), resp); err == nil {
		t.Error("a panicking stream answered no error")
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	stack, _ := line["stack"].(string)
	if line["level"] != "ERROR" || !strings.Contains(stack, "panickingStream") || line["lines"] != float64(3) {
		t.Errorf("log line %v: want an error with the stack and the stream's outcome", line)
	}
}
