package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/garagesale/service/foundation/web"
	"github.com/google/go-cmp/cmp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

type body map[string]string

func (b body) Encode() ([]byte, string, error) {
	data, err := json.Marshal(b)
	return data, "application/json", err
}

type request struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantErr   error
		wantField string
		wantMsg   string
	}{
		{name: "valid", body: `{"name":"a","count":1}`},
		{name: "empty", body: ``, wantErr: &web.DecodeError{}},
		{name: "cut short", body: `{"name":`, wantErr: &web.DecodeError{}, wantMsg: "malformed JSON: the body ends at byte 8, before its value does"},
		{name: "broken where it breaks", body: `{"name":"x",,}`, wantErr: &web.DecodeError{}, wantMsg: "malformed JSON near byte 13"},
		{name: "a made-up field clipped", body: `{"` + strings.Repeat("a", 100) + `":1}`, wantErr: &web.DecodeError{}, wantField: strings.Repeat("a", 64) + "…"},
		{name: "wrong type names field", body: `{"count":"x"}`, wantErr: &web.DecodeError{}, wantField: "count"},
		{name: "unknown field named", body: `{"admin":true}`, wantErr: &web.DecodeError{}, wantField: "admin"},
		{name: "two values", body: `{"name":"a"}{"name":"b"}`, wantErr: &web.DecodeError{}},
		{name: "too large", body: `{"name":"` + strings.Repeat("x", web.MaxBodyBytes) + `"}`, wantErr: web.ErrBodyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
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
		NotRouted: func(status int) web.Encoder {
			return statusBody{code: status, body: body{"error": http.StatusText(status)}}
		},
	})
	app.HandlerFunc(http.MethodGet, "/things/{id}", func(ctx context.Context, r *http.Request) web.Encoder {
		return body{"id": web.Param(r, "id"), "trace": web.GetTraceID(ctx)}
	})
	app.HandlerFunc(http.MethodPost, "/things", func(ctx context.Context, r *http.Request) web.Encoder {
		return web.Created(body{"ok": "yes"})
	})
	app.HandlerFunc(http.MethodDelete, "/things/{id}", func(ctx context.Context, r *http.Request) web.Encoder {
		return web.NoContent
	})

	tests := []struct {
		method, path string
		wantStatus   int
		wantCT       string
		wantBody     string
	}{
		{http.MethodGet, "/things/7", http.StatusOK, "application/json", ""},
		{http.MethodPost, "/things", http.StatusCreated, "application/json", `{"ok":"yes"}`},
		{http.MethodDelete, "/things/7", http.StatusNoContent, "", ""},
		{http.MethodGet, "/nowhere", http.StatusNotFound, "application/json", `{"error":"Not Found"}`},
		{http.MethodPatch, "/things/7", http.StatusMethodNotAllowed, "application/json", `{"error":"Method Not Allowed"}`},
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

// TestTraceparentContinued: a caller's trace ID is the request's trace ID,
// in the context and in the response header.
func TestTraceparentContinued(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	app := web.NewApp(web.Config{Tracer: tp.Tracer("test")})
	var seen string
	app.HandlerFunc(http.MethodGet, "/x", func(ctx context.Context, r *http.Request) web.Encoder {
		seen = web.GetTraceID(ctx)
		return body{}
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

type statusBody struct {
	code int
	body body
}

func (s statusBody) Encode() ([]byte, string, error) { return s.body.Encode() }
func (s statusBody) HTTPStatus() int                 { return s.code }
