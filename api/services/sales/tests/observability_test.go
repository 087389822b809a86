package tests

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/logger"
	"github.com/garagesale/service/foundation/otel"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/go-cmp/cmp"
	gootel "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
)

// receiver is an in-process OTLP/gRPC trace collector: what Tempo would
// receive.
type receiver struct {
	collectortrace.UnimplementedTraceServiceServer

	mu      sync.Mutex
	spans   []receivedSpan
	service map[string]bool
}

// receivedSpan is the part of an exported span the test looks at.
type receivedSpan struct {
	Name    string
	TraceID string
	SpanID  string
	Parent  string
	Kind    tracepb.Span_SpanKind
	Attrs   map[string]string
}

func (rc *receiver) Export(_ context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				rc.service[kv.GetValue().GetStringValue()] = true
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				attrs := map[string]string{}
				for _, kv := range s.GetAttributes() {
					attrs[kv.GetKey()] = fmt.Sprint(kv.GetValue().GetValue())
				}
				rc.spans = append(rc.spans, receivedSpan{
					Name:    s.GetName(),
					TraceID: hex.EncodeToString(s.GetTraceId()),
					SpanID:  hex.EncodeToString(s.GetSpanId()),
					Parent:  hex.EncodeToString(s.GetParentSpanId()),
					Kind:    s.GetKind(),
					Attrs:   attrs,
				})
			}
		}
	}
	return &collectortrace.ExportTraceServiceResponse{}, nil
}

// trace returns the spans of one trace.
func (rc *receiver) trace(traceID string) []receivedSpan {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []receivedSpan
	for _, s := range rc.spans {
		if s.TraceID == traceID {
			out = append(out, s)
		}
	}
	return out
}

func startReceiver(t *testing.T) (*receiver, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	rc := &receiver{service: map[string]bool{}}
	srv := grpc.NewServer()
	collectortrace.RegisterTraceServiceServer(srv, rc)
	go func() {
		// Serve returns when the test stops the server.
		_ = srv.Serve(lis)
	}()
	t.Cleanup(srv.Stop)
	return rc, lis.Addr().String()
}

// edges describes a trace's shape as "parent -> child" by span name, one
// entry per distinct edge; "(caller)" is a span outside the service and
// "(root)" means none.
func edges(spans []receivedSpan, callerSpanID string) []string {
	names := map[string]string{}
	for _, s := range spans {
		names[s.SpanID] = s.Name
	}
	seen := map[string]bool{}
	for _, s := range spans {
		parent, ok := names[s.Parent]
		switch {
		case ok:
		case s.Parent == "" || s.Parent == "0000000000000000":
			parent = "(root)"
		case s.Parent == callerSpanID:
			parent = "(caller)"
		default:
			parent = "(unknown " + s.Parent + ")"
		}
		seen[parent+" -> "+s.Name] = true
	}
	out := make([]string, 0, len(seen))
	for e := range seen {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// TestTraceOfOneRequest exports the spans of real requests over OTLP/gRPC
// and checks that one request is one trace: the server span, a span per
// business call under it, and a span per SQL statement under those, with
// the statement text and never its bound values. It is not parallel: it
// installs the process's tracer provider.
func TestTraceOfOneRequest(t *testing.T) {
	e := newEnv(t)
	rc, addr := startReceiver(t)

	exp, err := otel.NewExporter(context.Background(), addr)
	if err != nil {
		t.Fatalf("exporter: %v", err)
	}
	tp, err := otel.Init(otel.Config{ServiceName: "sales-api-test", Version: "test", Probability: 1, Exporter: exp})
	if err != nil {
		t.Fatalf("init tracing: %v", err)
	}
	t.Cleanup(func() { gootel.SetTracerProvider(noop.NewTracerProvider()) })

	h := build.WebAPI(build.Config{
		Build:     "test",
		Log:       e.db.Log,
		DB:        e.db.DB,
		Auth:      e.auth,
		ActiveKID: kid,
		TokenTTL:  tokenTTL,
		Tracer:    tp.Tracer("sales-api"),
	})

	const (
		callerTrace = "0af7651916cd43dd8448eb211c80319c"
		callerSpan  = "b7ad6b7169203331"
	)
	route := "GET /v1/users/{userID}"
	tests := []struct {
		name        string
		traceparent string
		wantTrace   string // "" when the service starts the trace
		wantEdges   []string
	}{
		{
			name:        "continues the caller's trace",
			traceparent: "00-" + callerTrace + "-" + callerSpan + "-01",
			wantTrace:   callerTrace,
			wantEdges:   []string{"(caller) -> " + route, route + " -> userbus.QueryByID", "userbus.QueryByID -> db.query"},
		},
		{
			name:      "starts a trace",
			wantEdges: []string{"(root) -> " + route, route + " -> userbus.QueryByID", "userbus.QueryByID -> db.query"},
		},
	}

	// Every request first, then one Shutdown: it must flush them all.
	traceIDs := make([]string, len(tests))
	for i, tt := range tests {
		header := http.Header{}
		if tt.traceparent != "" {
			header.Set("Traceparent", tt.traceparent)
		}
		resp := apitest.Do(t, h, http.MethodGet, "/v1/users/"+e.user1.ID.String(), e.tokens["admin"], nil, header)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tt.name, resp.StatusCode)
		}
		traceIDs[i] = resp.Header.Get("X-Trace-Id")
		if tp := resp.Header.Get("Traceparent"); !strings.Contains(tp, "-"+traceIDs[i]+"-") {
			t.Errorf("%s: Traceparent %q does not carry X-Trace-Id %q", tt.name, tp, traceIDs[i])
		}
	}
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	if !rc.service["sales-api-test"] {
		t.Errorf("no spans with resource service.name sales-api-test; got %v", rc.service)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantTrace != "" && traceIDs[i] != tt.wantTrace {
				t.Errorf("X-Trace-Id: got %q, want the caller's %q", traceIDs[i], tt.wantTrace)
			}
			spans := rc.trace(traceIDs[i])
			if diff := cmp.Diff(tt.wantEdges, edges(spans, callerSpan)); diff != "" {
				t.Errorf("trace shape (-want +got):\n%s", diff)
			}

			for _, s := range spans {
				if s.Name == route && s.Kind != tracepb.Span_SPAN_KIND_SERVER {
					t.Errorf("server span kind: got %v", s.Kind)
				}
				if s.Name != "db.query" {
					continue
				}
				stmt := s.Attrs["db.statement"]
				if !strings.Contains(strings.ToUpper(stmt), "SELECT") {
					t.Errorf("db.query span without its statement: %q", stmt)
				}
				for k, v := range s.Attrs {
					if strings.Contains(v, e.user1.ID.String()) {
						t.Errorf("db.query attribute %s carries a bound value: %q", k, v)
					}
				}
			}
		})
	}
}

// TestInternalErrorHasOneLogLine forces a 500 (the handler's database pool
// is closed) and checks that the errorID of the response finds exactly one
// log line, which names the cause and the request's trace.
func TestInternalErrorHasOneLogLine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	// A pool of its own, so closing it leaves the test's database to clean up.
	db, err := sqldb.OpenURL(e.db.URL)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	db.Close()

	var logs dbtest.Buffer
	spans := &spanRecorder{}
	h := build.WebAPI(build.Config{
		Build:     "test",
		Log:       logger.New(&logs, logger.LevelInfo, "sales-api", web.GetTraceID),
		DB:        db.DB,
		Auth:      e.auth,
		ActiveKID: kid,
		TokenTTL:  tokenTTL,
		Tracer:    sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)).Tracer("sales-api"),
	})

	resp := apitest.Do(t, h, http.MethodGet, "/v1/users", e.tokens["admin"], nil, nil)
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status: got %d, want 500; body %s", resp.StatusCode, body)
	}
	var got struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		ErrorID string `json:"errorID"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if got.ErrorID == "" {
		t.Fatalf("no errorID in %s", body)
	}
	if strings.Contains(string(body), "closed") {
		t.Errorf("the body leaks the cause: %s", body)
	}
	traceID := resp.Header.Get("X-Trace-Id")

	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if !strings.Contains(line, got.ErrorID) {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		lines = append(lines, m)
	}
	if len(lines) != 1 {
		t.Fatalf("log lines with errorID %s: got %d, want 1\n%s", got.ErrorID, len(lines), logs.String())
	}

	line := lines[0]
	cause, _ := line["cause"].(string)
	if !strings.Contains(cause, "database is closed") {
		t.Errorf("cause: got %q, want the database error", cause)
	}
	want := map[string]any{"msg": "internal error", "level": "ERROR", "errorID": got.ErrorID, "trace_id": traceID, "service": "sales-api"}
	gotFields := map[string]any{}
	for k := range want {
		gotFields[k] = line[k]
	}
	if diff := cmp.Diff(want, gotFields); diff != "" {
		t.Errorf("log line (-want +got):\n%s", diff)
	}
	if traceID == "" || traceID == "00000000000000000000000000000000" {
		t.Errorf("response has no trace ID: %q", traceID)
	}

	// The request's span is marked failed, with the errorID and the
	// cause, so a trace viewer lists it among the failed.
	server := spans.named("GET /v1/users")
	if server == nil {
		t.Fatalf("no server span; spans: %v", spans.names())
	}
	var exception string
	for _, ev := range server.Events() {
		for _, a := range ev.Attributes {
			if a.Key == "exception.message" {
				exception = a.Value.AsString()
			}
		}
	}
	if st := server.Status(); st.Code != codes.Error || st.Description != "internal error "+got.ErrorID || !strings.Contains(exception, "database is closed") {
		t.Errorf("server span status %v %q, exception %q; want Error, the errorID and the cause", st.Code, st.Description, exception)
	}
}

// spanRecorder keeps the spans that end: a span processor for tests.
type spanRecorder struct {
	mu    sync.Mutex
	ended []sdktrace.ReadOnlySpan
}

func (r *spanRecorder) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (r *spanRecorder) OnEnd(s sdktrace.ReadOnlySpan) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended = append(r.ended, s)
}
func (r *spanRecorder) Shutdown(context.Context) error   { return nil }
func (r *spanRecorder) ForceFlush(context.Context) error { return nil }

// named returns the last span ended with name, or nil.
func (r *spanRecorder) named(name string) sdktrace.ReadOnlySpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.ended) - 1; i >= 0; i-- {
		if r.ended[i].Name() == name {
			return r.ended[i]
		}
	}
	return nil
}

func (r *spanRecorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range r.ended {
		out = append(out, s.Name())
	}
	return out
}
