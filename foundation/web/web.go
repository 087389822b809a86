// Package web is a small layer over net/http ServeMux patterns: handlers
// return a value or an error instead of writing the response themselves.
package web

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Encoder is implemented by a value sent in a wire form of its own rather
// than as JSON: an error body, a page, a stored answer replayed.
type Encoder interface {
	Encode() (data []byte, contentType string, err error)
}

// HandlerFunc handles one request and returns what to send: nil is 204
// with no body, an Encoder is sent as it encodes itself, anything else as
// JSON (see JSON) with 200, unless it is an HTTPStatuser (Created and
// Accepted wrap a value with theirs); an HTTPHeaderer adds headers. An
// error is middleware's to answer; one that reaches the App is a bare 500,
// since an error's fields are no answer.
type HandlerFunc func(ctx context.Context, r *http.Request) (any, error)

// MidFunc wraps a HandlerFunc with behaviour that runs around it.
type MidFunc func(next HandlerFunc) HandlerFunc

// Logger is the one logging call web needs, so it needs no logger package.
type Logger func(ctx context.Context, msg string, args ...any)

// App is the entry point of a web application: a ServeMux with a shared
// middleware chain, one span per request and JSON responses.
type App struct {
	cfg    Config
	mux    *http.ServeMux
	routes []string
}

// Config holds what an App needs. Tracer may be nil.
type Config struct {
	Log    Logger
	Tracer trace.Tracer
	Mid    []MidFunc
	// NotRouted, when set, is the body (see Encode) for a request no route
	// takes, with its status: 404 for an unknown path, 405 for a method the
	// path does not have. It is sent through Mid, as a route's answer is.
	// Nil, or a nil body, keeps the mux's own plain-text reply.
	NotRouted func(status int) any
}

// NewApp builds an App whose every route runs through cfg.Mid, outermost first.
func NewApp(cfg Config) *App {
	if cfg.Tracer == nil {
		cfg.Tracer = noop.NewTracerProvider().Tracer("web")
	}
	if cfg.Log == nil {
		cfg.Log = func(context.Context, string, ...any) {}
	}
	return &App{cfg: cfg, mux: http.NewServeMux()}
}

// Routes returns "METHOD PATH" of every route registered with HandlerFunc,
// sorted: what the API answers, for a check against its documentation.
func (a *App) Routes() []string {
	return slices.Sorted(slices.Values(a.routes))
}

// ServeHTTP implements http.Handler. A request no route takes is answered
// with the NotRouted body through the same middleware as a routed one, so
// it is logged, counted and traced too: a scanner's burst of 404s shows.
// The mux itself finds it so (its 404 or 405 is taken over as it is
// written), lest every request be matched twice.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.cfg.NotRouted == nil {
		a.mux.ServeHTTP(w, r)
		return
	}
	nw := &notRoutedWriter{ResponseWriter: w, app: a, r: r}
	// The mux's own test: the escaped path, CONNECT and "*" left alone.
	if r.Method != http.MethodConnect && r.RequestURI != "*" && !isClean(r.URL.EscapedPath()) {
		// The mux would redirect to the clean path with an HTML body (no
		// body for a POST): a reply in no route's form. No route has
		// this path, so it is answered as one no route takes.
		nw.notRouted(http.StatusNotFound)
		return
	}
	a.mux.ServeHTTP(nw, r)
}

// answerNotRouted answers r, which no route takes, with status and the
// NotRouted body, through the middleware; false when NotRouted has no
// body for it.
func (a *App) answerNotRouted(w http.ResponseWriter, r *http.Request, status int) bool {
	body := a.cfg.NotRouted(status)
	if body == nil {
		return false
	}
	// The mux's text goes; its Allow, of a 405, stays.
	w.Header().Del("Content-Type")
	h := wrap(func(context.Context, *http.Request) (any, error) { return body, nil }, a.cfg.Mid)
	a.serve("", h)(w, r.WithContext(context.WithValue(r.Context(), notRoutedKey{}, true)))
	return true
}

type notRoutedKey struct{}

// IsNotRouted reports whether ctx is a request no route takes, answered
// through the middleware: middleware that checks what a route reads (its
// query, its path's parameters) lets it through to its 404 or 405.
func IsNotRouted(ctx context.Context) bool {
	v, _ := ctx.Value(notRoutedKey{}).(bool)
	return v
}

// HandlerFunc registers h for method and path (a ServeMux pattern such as
// "/v1/users/{userID}"), wrapped in the route's own middleware mw and then
// the app-wide chain.
func (a *App) HandlerFunc(method, path string, h HandlerFunc, mw ...MidFunc) {
	h = wrap(wrap(h, mw), a.cfg.Mid)
	route := method + " " + path
	a.routes = append(a.routes, route)
	a.mux.HandleFunc(route, a.serve(path, h))
}

// serve runs h for a request to path, a route's pattern ("" for a request
// no route takes), in a server span, and sends what it returns.
func (a *App) serve(path string, h HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// A span is named for its route, or its method alone when no
		// route takes it (OpenTelemetry's rule, lest each path scanned
		// make a name of its own).
		name, attrs := r.Method, []attribute.KeyValue{attribute.String("http.request.method", r.Method)}
		if path != "" {
			name = r.Method + " " + path
			attrs = append(attrs, attribute.String("http.route", path))
		}
		ctx := propagation.TraceContext{}.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := a.cfg.Tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
		defer span.End()

		sc := span.SpanContext()
		traceID := sc.TraceID().String()
		ctx = context.WithValue(ctx, traceIDKey{}, traceID)
		if sc.HasTraceID() {
			w.Header().Set("Traceparent", "00-"+traceID+"-"+sc.SpanID().String()+"-"+sc.TraceFlags().String())
			// The bare ID is what a support request quotes and what every
			// log line of the request carries as trace_id.
			w.Header().Set("X-Trace-Id", traceID)
		}

		resp, err := h(ctx, r.WithContext(ctx))
		if err != nil {
			a.cfg.Log(ctx, "web: an error no middleware answered", "error", err)
			resp = status{code: http.StatusInternalServerError}
		}
		status, err := Respond(ctx, w, resp)
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		// A client that went away is no failure of the service, which an
		// alert on errors would page for; the request's own log line says
		// how it ended. Whether it went is the request's to say, or the
		// writer's (ErrClientGone), not any reset or broken pipe in the
		// error's chain: the database's connection breaks so too.
		if err != nil && !errors.Is(err, ErrClientGone) && ctx.Err() == nil {
			a.cfg.Log(ctx, "web: respond", "error", err)
		}
	}
}

type traceIDKey struct{}

// GetTraceID returns the request's trace ID, or "" outside a request.
func GetTraceID(ctx context.Context) string {
	id, _ := ctx.Value(traceIDKey{}).(string)
	return id
}

// Param returns the named path wildcard of the request.
func Param(r *http.Request, key string) string {
	return r.PathValue(key)
}

func wrap(h HandlerFunc, mw []MidFunc) HandlerFunc {
	for i := len(mw) - 1; i >= 0; i-- {
		if mw[i] != nil {
			h = mw[i](h)
		}
	}
	return h
}
