package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/garagesale/service/foundation/web"
	"github.com/google/go-cmp/cmp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

type body map[string]string

type request struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Tags  []string `json:"tags"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		encoding  string // the request's Content-Encoding
		wantErr   error
		wantField string
		wantMsg   string
		wantMore  map[string]string
	}{
		{name: "valid", body: `{"name":"a","count":1}`},
		{name: "empty", body: ``, wantErr: &web.DecodeError{}},
		{name: "cut short", body: `{"name":`, wantErr: &web.DecodeError{}, wantMsg: "malformed JSON: the body ends at byte 8, before its value does"},
		{name: "broken where it breaks", body: `{"name":"x",,}`, wantErr: &web.DecodeError{}, wantMsg: "malformed JSON near byte 13"},
		{name: "a made-up field clipped", body: `{"` + strings.Repeat("a", 100) + `":1}`, wantErr: &web.DecodeError{}, wantField: strings.Repeat("a", 64) + "…"},
		{name: "wrong type names field", body: `{"count":"x"}`, wantErr: &web.DecodeError{}, wantField: "count"},
		// encoding/json returns only the first; the client hears of all.
		{name: "every wrong type named", body: `{"name":5,"count":"x","tags":["a",true]}`, wantErr: &web.DecodeError{}, wantField: "name",
			wantMsg: "must be a JSON string, not a number", wantMore: map[string]string{
				"count": "must be a JSON integer, not a string",
				"tags":  "must be a JSON string, not a boolean",
			}},
		{name: "a right type is not named", body: `{"name":"a","count":true}`, wantErr: &web.DecodeError{}, wantField: "count"},
		{name: "unknown field named", body: `{"admin":true}`, wantErr: &web.DecodeError{}, wantField: "admin"},
		{name: "two values", body: `{"name":"a"}{"name":"b"}`, wantErr: &web.DecodeError{}},
		{name: "NUL named", body: `{"name":"a\u0000"}`, wantErr: &web.DecodeError{}, wantField: "name", wantMsg: "must be UTF-8 text without NUL characters"},
		// encoding/json would store each of these as U+FFFD.
		{name: "lone high surrogate", body: `{"name":"a\ud800b"}`, wantErr: &web.DecodeError{}, wantField: "name", wantMsg: `holds \ud800, half of a UTF-16 surrogate pair, which is no character`},
		{name: "lone low surrogate", body: `{"name":"\uDC00"}`, wantErr: &web.DecodeError{}, wantField: "name", wantMsg: `holds \udc00, half of a UTF-16 surrogate pair, which is no character`},
		{name: "high then no low", body: `{"name":"\ud83d\u0041"}`, wantErr: &web.DecodeError{}, wantField: "name"},
		{name: "two highs", body: `{"name":"\ud83d\ud83d"}`, wantErr: &web.DecodeError{}, wantField: "name"},
		{name: "high at the end", body: `{"name":"\ud83d`, wantErr: &web.DecodeError{}, wantField: "name"},
		{name: "a pair is a character", body: `{"name":"\ud83d\uDE00 \u00e9"}`},
		{name: "an escaped backslash is no escape", body: `{"name":"\\ud800"}`},
		{name: "too large", body: `{"name":"` + strings.Repeat("x", web.MaxBodyBytes) + `"}`, wantErr: web.ErrBodyTooLarge},
		// A compressed body read as sent is binary: refused by its header,
		// never as text that is not UTF-8.
		{name: "gzip refused", body: "\x1f\x8b\x08", encoding: "gzip", wantErr: &web.EncodedBodyError{}, wantMsg: `the body must be sent as is: Content-Encoding "gzip" is not taken`},
		{name: "even a plain body with gzip", body: `{"name":"a"}`, encoding: "gzip", wantErr: &web.EncodedBodyError{}},
		{name: "identity is no encoding", body: `{"name":"a"}`, encoding: "Identity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			if tt.encoding != "" {
				r.Header.Set("Content-Encoding", tt.encoding)
			}
			var v request
			err := web.Decode(r, &v)

			switch want := tt.wantErr.(type) {
			case nil:
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
			case *web.DecodeError:
				var de *web.DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("error = %v, want a DecodeError", err)
				}
				if diff := cmp.Diff(tt.wantField, de.Field); diff != "" {
					t.Errorf("field (-want +got):\n%s", diff)
				}
				if tt.wantMsg != "" && de.Err.Error() != tt.wantMsg {
					t.Errorf("message %q, want %q", de.Err, tt.wantMsg)
				}
				if diff := cmp.Diff(tt.wantMore, de.More); diff != "" {
					t.Errorf("other fields (-want +got):\n%s", diff)
				}
			case *web.EncodedBodyError:
				var ee *web.EncodedBodyError
				if !errors.As(err, &ee) {
					t.Fatalf("error = %v, want an EncodedBodyError", err)
				}
				if tt.wantMsg != "" && ee.Error() != tt.wantMsg {
					t.Errorf("message %q, want %q", ee, tt.wantMsg)
				}
			default:
				if !errors.Is(err, want) {
					t.Fatalf("error = %v, want %v", err, want)
				}
			}
		})
	}
}

func TestAppRoutesAndNotRouted(t *testing.T) {
	app := web.NewApp(web.Config{
		NotRouted: func(status int) any {
			return statusBody{code: status, Error: http.StatusText(status)}
		},
	})
	app.HandlerFunc(http.MethodGet, "/things/{id}", func(ctx context.Context, r *http.Request) (any, error) {
		return body{"id": r.PathValue("id"), "trace": web.GetTraceID(ctx)}, nil
	})
	app.HandlerFunc(http.MethodPost, "/things", func(ctx context.Context, r *http.Request) (any, error) {
		return web.Created(body{"ok": "yes"}), nil
	})
	app.HandlerFunc(http.MethodDelete, "/things/{id}", func(ctx context.Context, r *http.Request) (any, error) {
		return web.NoContent, nil
	})

	tests := []struct {
		method, path string
		wantStatus   int
		wantCT       string
		wantBody     string
	}{
		{http.MethodGet, "/things/7", http.StatusOK, "application/json", ""},
		{http.MethodGet, "/things/x", http.StatusOK, "application/json", `{"id":"x","trace":"00000000000000000000000000000000"}`},
		{http.MethodPost, "/things", http.StatusCreated, "application/json", `{"ok":"yes"}`},
		{http.MethodDelete, "/things/7", http.StatusNoContent, "", ""},
		{http.MethodGet, "/nowhere", http.StatusNotFound, "application/json", `{"error":"Not Found"}`},
		{http.MethodPatch, "/things/7", http.StatusMethodNotAllowed, "application/json", `{"error":"Method Not Allowed"}`},
		// Paths the mux would redirect to their clean form, with HTML.
		{http.MethodGet, "/things//7", http.StatusNotFound, "application/json", `{"error":"Not Found"}`},
		{http.MethodGet, "/nowhere/../things/7", http.StatusNotFound, "application/json", `{"error":"Not Found"}`},
		{http.MethodPost, "/./things", http.StatusNotFound, "application/json", `{"error":"Not Found"}`},
		{http.MethodGet, "//things/7", http.StatusNotFound, "application/json", `{"error":"Not Found"}`},
		// Escaped, a slash or a dot is part of its element: the mux
		// routes these to {id} as they are.
		{http.MethodGet, "/things/a%2F%2Fb", http.StatusOK, "application/json", `{"id":"a//b","trace":"00000000000000000000000000000000"}`},
		{http.MethodGet, "/things/%2E%2E", http.StatusOK, "application/json", `{"id":"..","trace":"00000000000000000000000000000000"}`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			app.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
			resp := w.Result()
			got, _ := io.ReadAll(resp.Body)

			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tt.wantStatus, got)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tt.wantCT {
				t.Errorf("content type = %q, want %q", ct, tt.wantCT)
			}
			if tt.wantBody != "" {
				if diff := cmp.Diff(tt.wantBody, string(got)); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestNotRoutedRunsTheMiddleware: a request no route takes goes through
// the app's middleware as a routed one does (its log line, its count),
// with the mux's Allow for a 405, in a span named by its method alone.
func TestNotRoutedRunsTheMiddleware(t *testing.T) {
	var seen []string
	count := func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (any, error) {
			resp, err := next(ctx, r)
			seen = append(seen, fmt.Sprintf("%s %s %d", r.Method, r.URL.Path, web.StatusOf(resp)))
			return resp, err
		}
	}
	spans := &spanNames{}
	app := web.NewApp(web.Config{
		Mid:       []web.MidFunc{count},
		Tracer:    sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)).Tracer("test"),
		NotRouted: func(status int) any { return statusBody{code: status, Error: http.StatusText(status)} },
	})
	app.HandlerFunc(http.MethodGet, "/things/{id}", func(ctx context.Context, r *http.Request) (any, error) {
		return body{}, nil
	})

	var allow string
	for _, req := range []struct{ method, path string }{
		{http.MethodGet, "/things/7"}, {http.MethodGet, "/nowhere"}, {http.MethodDelete, "/things/7"}, {http.MethodGet, "/a/../b"},
	} {
		w := httptest.NewRecorder()
		app.ServeHTTP(w, httptest.NewRequest(req.method, req.path, nil))
		if req.method == http.MethodDelete {
			allow = w.Header().Get("Allow")
		}
	}
	want := []string{"GET /things/7 200", "GET /nowhere 404", "DELETE /things/7 405", "GET /a/../b 404"}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("requests the middleware saw (-want +got):\n%s", diff)
	}
	if allow != "GET, HEAD" {
		t.Errorf("the 405's Allow: %q, want GET, HEAD", allow)
	}
	if diff := cmp.Diff([]string{"GET /things/{id}", "GET", "DELETE", "GET"}, spans.names); diff != "" {
		t.Errorf("span names (-want +got):\n%s", diff)
	}

	// A request of no path is the mux's to answer, past the middleware.
	seen = nil
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodOptions, "*", nil)
	app.ServeHTTP(w, r)
	if len(seen) != 0 || w.Code == http.StatusNotFound {
		t.Errorf("OPTIONS *: %d, seen by the middleware as %v; want the mux's answer, unseen", w.Code, seen)
	}
}

// spanNames keeps the names of the spans that end.
type spanNames struct{ names []string }

func (s *spanNames) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (s *spanNames) OnEnd(span sdktrace.ReadOnlySpan)                { s.names = append(s.names, span.Name()) }
func (s *spanNames) Shutdown(context.Context) error                  { return nil }
func (s *spanNames) ForceFlush(context.Context) error                { return nil }

// TestTraceparentContinued: a caller's trace ID is the request's trace ID,
// in the context and in the response header.
func TestTraceparentContinued(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	app := web.NewApp(web.Config{Tracer: tp.Tracer("test")})
	var seen string
	app.HandlerFunc(http.MethodGet, "/x", func(ctx context.Context, r *http.Request) (any, error) {
		seen = web.GetTraceID(ctx)
		return body{}, nil
	})

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	r := httptest.NewRequest(http.MethodGet, "/x", nil)
	r.Header.Set("Traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	w := httptest.NewRecorder()
	app.ServeHTTP(w, r)

	if seen != traceID {
		t.Errorf("trace ID in context = %q, want %q", seen, traceID)
	}
	if h := w.Header().Get("Traceparent"); !strings.Contains(h, traceID) {
		t.Errorf("response traceparent %q does not carry %s", h, traceID)
	}
}

// statusBody is sent as JSON with a status of its own.
type statusBody struct {
	Error string `json:"error"`
	code  int
}

func (s statusBody) HTTPStatus() int { return s.code }

// product is a plain model: no method, sent as JSON.
type product struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// text encodes itself.
type text string

func (t text) Encode() ([]byte, string, error) {
	return []byte(t), "text/plain; charset=utf-8", nil
}

// limited is JSON with a status and a header of its own.
type limited struct {
	Message string `json:"message"`
}

func (limited) HTTPStatus() int { return http.StatusTooManyRequests }
func (limited) HTTPHeader() http.Header {
	return http.Header{"Retry-After": {"3"}}
}

// page encodes itself and sets a header of its own.
type page struct{}

func (page) Encode() ([]byte, string, error) {
	return []byte("<p>hi</p>"), "text/html; charset=utf-8", nil
}
func (page) HTTPHeader() http.Header { return http.Header{"Cache-Control": {"no-cache"}} }

type failing struct{}

func (failing) Encode() ([]byte, string, error) { return nil, "", errors.New("cannot") }

// TestRespond: what a handler returns is what goes on the wire, a body
// with its Content-Length. A plain value is JSON (no HTML escaping, no trailing newline) with 200; Created
// and Accepted send the same JSON with 201 and 202; nil is 204 with no
// body; an Encoder is sent as it encodes itself; an HTTPStatuser and an
// HTTPHeaderer choose their status and headers, through Created too; an
// encoder that fails is a bare 500.
func TestRespond(t *testing.T) {
	type answer struct {
		Status int
		Header http.Header
		Body   string
	}
	plain := product{ID: 7, Name: "<lamp> & shade"}
	const plainJSON = `{"id":7,"name":"<lamp> & shade"}`
	tests := []struct {
		name    string
		v       any
		want    answer
		wantErr bool
	}{
		{name: "plain struct", v: plain,
			want: answer{http.StatusOK, http.Header{"Content-Type": {"application/json"}}, plainJSON}},
		{name: "pointer to struct", v: &plain,
			want: answer{http.StatusOK, http.Header{"Content-Type": {"application/json"}}, plainJSON}},
		{name: "slice", v: []product{plain},
			want: answer{http.StatusOK, http.Header{"Content-Type": {"application/json"}}, "[" + plainJSON + "]"}},
		{name: "created", v: web.Created(plain),
			want: answer{http.StatusCreated, http.Header{"Content-Type": {"application/json"}}, plainJSON}},
		{name: "accepted", v: web.Accepted(plain),
			want: answer{http.StatusAccepted, http.Header{"Content-Type": {"application/json"}}, plainJSON}},
		{name: "nil", v: nil,
			want: answer{http.StatusNoContent, http.Header{}, ""}},
		{name: "no content", v: web.NoContent,
			want: answer{http.StatusNoContent, http.Header{}, ""}},
		{name: "encoder", v: text("hello <b>"),
			want: answer{http.StatusOK, http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, "hello <b>"}},
		{name: "created encoder", v: web.Created(text("made")),
			want: answer{http.StatusCreated, http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, "made"}},
		{name: "encoder with header", v: page{},
			want: answer{http.StatusOK, http.Header{"Content-Type": {"text/html; charset=utf-8"}, "Cache-Control": {"no-cache"}}, "<p>hi</p>"}},
		{name: "statuser", v: statusBody{Error: "gone", code: http.StatusGone},
			want: answer{http.StatusGone, http.Header{"Content-Type": {"application/json"}}, `{"error":"gone"}`}},
		{name: "statuser and headerer", v: limited{Message: "slow down"},
			want: answer{http.StatusTooManyRequests, http.Header{"Content-Type": {"application/json"}, "Retry-After": {"3"}}, `{"message":"slow down"}`}},
		{name: "with a header, the value's own kept", v: web.WithHeader(limited{Message: "slow down"}, http.Header{"X-Note": {"n"}}),
			want: answer{http.StatusTooManyRequests, http.Header{"Content-Type": {"application/json"}, "Retry-After": {"3"}, "X-Note": {"n"}}, `{"message":"slow down"}`}},
		{name: "with no header", v: web.WithHeader(web.Accepted(page{}), nil),
			want: answer{http.StatusAccepted, http.Header{"Content-Type": {"text/html; charset=utf-8"}, "Cache-Control": {"no-cache"}}, "<p>hi</p>"}},
		{name: "no content with a header", v: web.WithHeader(web.NoContent, http.Header{"X-Note": {"n"}}),
			want: answer{http.StatusNoContent, http.Header{"X-Note": {"n"}}, ""}},
		{name: "created keeps headers", v: web.Created(page{}),
			want: answer{http.StatusCreated, http.Header{"Content-Type": {"text/html; charset=utf-8"}, "Cache-Control": {"no-cache"}}, "<p>hi</p>"}},
		{name: "encoder fails", v: failing{}, wantErr: true,
			want: answer{http.StatusInternalServerError, http.Header{}, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			status, err := web.Respond(context.Background(), w, tt.v)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want one: %v", err, tt.wantErr)
			}
			if status != tt.want.Status {
				t.Errorf("Respond returned %d, want %d", status, tt.want.Status)
			}
			if got := web.StatusOf(tt.v); got != tt.want.Status && !tt.wantErr {
				t.Errorf("StatusOf = %d, want %d", got, tt.want.Status)
			}
			// A body goes with its length, so net/http need not chunk it.
			wantLength := ""
			if w.Body.Len() > 0 {
				wantLength = strconv.Itoa(w.Body.Len())
			}
			if got := w.Header().Get("Content-Length"); got != wantLength {
				t.Errorf("Content-Length %q, want %q", got, wantLength)
			}
			w.Header().Del("Content-Length")
			got := answer{Status: w.Code, Header: w.Header(), Body: w.Body.String()}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEncodeIsJSON: a plain value's body is web.JSON's, which is what
// the Encode methods of the app's models used to return.
func TestEncodeIsJSON(t *testing.T) {
	v := map[string]any{"msg": "Bearer <token>", "n": 1}
	want, wantCT, err := web.JSON(v)
	if err != nil {
		t.Fatal(err)
	}
	got, ct, err := web.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want)+" "+wantCT, string(got)+" "+ct); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(`{"msg":"Bearer <token>","n":1}`, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// statusErr chooses its status through a pointer: a nil one would panic.
// TestUnansweredErrorIs500: an error that no middleware turned into an
// answer is a 500 with no body: an error's own fields are no answer.
func TestUnansweredErrorIs500(t *testing.T) {
	var logged []any
	app := web.NewApp(web.Config{Log: func(ctx context.Context, msg string, args ...any) { logged = append(logged, msg) }})
	app.HandlerFunc(http.MethodGet, "/x", func(ctx context.Context, r *http.Request) (any, error) {
		return nil, errors.New("secret detail")
	})
	w := httptest.NewRecorder()
	app.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/x", nil))
	if diff := cmp.Diff([]any{http.StatusInternalServerError, "", 1}, []any{w.Code, w.Body.String(), len(logged)}); diff != "" {
		t.Errorf("status, body and log lines (-want +got):\n%s", diff)
	}
}

// varyBody varies by Accept-Encoding.
type varyBody struct{}

func (varyBody) Encode() ([]byte, string, error) { return []byte("x"), "text/plain", nil }
func (varyBody) HTTPHeader() http.Header {
	return http.Header{"Vary": {"Accept-Encoding"}, "Cache-Control": {"public"}}
}

// TestRespondAddsToVary: an answer's Vary adds to what the middleware set
// (Origin, for CORS), where its other headers replace theirs.
func TestRespondAddsToVary(t *testing.T) {
	w := httptest.NewRecorder()
	w.Header().Set("Vary", "Origin")
	w.Header().Set("Cache-Control", "no-store")
	if _, err := web.Respond(context.Background(), w, varyBody{}); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{"Vary": w.Header().Values("Vary"), "Cache-Control": w.Header().Values("Cache-Control")}
	want := map[string][]string{"Vary": {"Origin", "Accept-Encoding"}, "Cache-Control": {"public"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
}

// failingStream is an answer whose stream ends with err.
type failingStream struct{ err error }

func (s failingStream) Stream(_ context.Context, w http.ResponseWriter) (int, error) {
	w.WriteHeader(http.StatusOK)
	return http.StatusOK, s.err
}

// TestRespondLogsOnlyTheServiceFailing: an answer whose client went away
// (its stream's write failed, marked so; its request cancelled) is no
// failure to log as an error; any other failure to answer is, a reset of
// the database's connection among them. An upload its client abandoned
// was an ERROR line, which an alert on errors pages for.
func TestRespondLogsOnlyTheServiceFailing(t *testing.T) {
	pipe := &os.SyscallError{Syscall: "write", Err: syscall.EPIPE}
	tests := []struct {
		name   string
		err    error
		cancel bool // the client goes before the answer ends
		want   int  // lines logged
	}{
		{name: "the client's connection broke", err: fmt.Errorf("write the answer: %w: %w", web.ErrClientGone, pipe)},
		{name: "the client went", err: errors.New("read a line: unexpected EOF"), cancel: true},
		{name: "the database's connection was reset", err: fmt.Errorf("record a batch: database unavailable: %w", syscall.ECONNRESET), want: 1},
		{name: "the database", err: errors.New("record a batch: database unavailable"), want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged int
			app := web.NewApp(web.Config{Log: func(context.Context, string, ...any) { logged++ }})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			app.HandlerFunc(http.MethodPost, "/upload", func(context.Context, *http.Request) (any, error) {
				if tt.cancel {
					cancel()
				}
				return failingStream{err: tt.err}, nil
			})
			app.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(ctx, http.MethodPost, "/upload", nil))
			if logged != tt.want {
				t.Errorf("%d lines logged, want %d", logged, tt.want)
			}
		})
	}
}
