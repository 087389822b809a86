package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
)

// HTTPStatuser is implemented by values that choose their own status code.
type HTTPStatuser interface {
	HTTPStatus() int
}

// HTTPHeaderer is implemented by values with headers of their own (Retry-After).
type HTTPHeaderer interface {
	HTTPHeader() http.Header
}

// status gives a value a status code other than 200. It encodes as the
// value does (a nil value as no body) and keeps the value's own headers.
type status struct {
	v    any
	code int
}

func (s status) HTTPStatus() int { return s.code }

func (s status) Encode() ([]byte, string, error) {
	if s.v == nil {
		return nil, "", nil
	}
	return Encode(s.v)
}

func (s status) HTTPHeader() http.Header {
	if h, ok := s.v.(HTTPHeaderer); ok {
		return h.HTTPHeader()
	}
	return nil
}

// Created sends v as a newly created resource: 201, with v's body.
func Created(v any) any {
	return status{v: v, code: http.StatusCreated}
}

// Accepted sends v as a request taken in: 202, with v's body.
func Accepted(v any) any {
	return status{v: v, code: http.StatusAccepted}
}

// headed adds headers to a value's answer, status and body as the value's.
type headed struct {
	v any
	h http.Header
}

func (h headed) HTTPStatus() int { return StatusOf(h.v) }

func (h headed) Encode() ([]byte, string, error) {
	if h.v == nil {
		return nil, "", nil
	}
	return Encode(h.v)
}

func (h headed) HTTPHeader() http.Header {
	out := http.Header{}
	if hv, ok := h.v.(HTTPHeaderer); ok {
		maps.Copy(out, hv.HTTPHeader())
	}
	maps.Copy(out, h.h)
	return out
}

// WithHeader sends v as it would be sent, with the headers h too.
func WithHeader(v any, h http.Header) any {
	return headed{v: v, h: h}
}

// NoContent is what a handler returns when there is nothing to send: 204.
var NoContent any

// StatusOf returns the status v is sent with (see HandlerFunc).
func StatusOf(v any) int {
	switch s := v.(type) {
	case nil:
		return http.StatusNoContent
	case HTTPStatuser:
		return s.HTTPStatus()
	}
	return http.StatusOK
}

// Encode returns v's body and Content-Type: an Encoder's own, else its JSON.
func Encode(v any) ([]byte, string, error) {
	if e, ok := v.(Encoder); ok {
		return e.Encode()
	}
	return JSON(v)
}

// Streamer is an answer written while it is made (an upload answered line
// by line as its body is read), status and headers too. Respond hands it the
// request's own context, not the middleware's: a stream outlasts a
// request's deadline and bounds its own work.
type Streamer interface {
	Stream(ctx context.Context, w http.ResponseWriter) (status int, err error)
}

// ErrClientGone marks an answer that could not be written because its
// client went away: a write to its connection that failed, or a request
// cancelled. A Streamer marks its own such failures with it.
var ErrClientGone = errors.New("the client went away")

// Respond writes v to w as a HandlerFunc's answer and returns its status.
func Respond(ctx context.Context, w http.ResponseWriter, v any) (int, error) {
	if s, ok := v.(Streamer); ok {
		return s.Stream(ctx, w)
	}

	if err := ctx.Err(); err != nil && v == nil {
		return 0, fmt.Errorf("%w: %w", ErrClientGone, err)
	}

	if h, ok := v.(HTTPHeaderer); ok {
		for k, vs := range h.HTTPHeader() {
			if k == "Vary" {
				// Added to, not replaced: what else the answer varies by
				// (the Origin of CORS) still holds.
				for _, v := range vs {
					w.Header().Add(k, v)
				}
				continue
			}
			w.Header()[k] = vs
		}
	}

	code := StatusOf(v)
	if v == nil {
		w.WriteHeader(code)
		return code, nil
	}

	data, contentType, err := Encode(v)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return http.StatusInternalServerError, fmt.Errorf("encode response: %w", err)
	}

	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	// With its length known, net/http sends the answer as it is: without
	// it, one over 2 KB goes chunked, in more writes.
	if len(data) > 0 {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	}
	w.WriteHeader(code)
	// A value that encodes to nothing (no content with headers) has no
	// body to write, and a 204 may not have one.
	if len(data) == 0 {
		return code, nil
	}
	if _, err := w.Write(data); err != nil {
		return code, fmt.Errorf("write response: %w: %w", ErrClientGone, err)
	}
	return code, nil
}

// JSON encodes v as a handler's answer, without encoding/json's HTML
// escaping: the answer is never HTML (its Content-Type and nosniff say
// so), and "Bearer <token>" should read as written.
func JSON(v any) ([]byte, string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, "", err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), "application/json", nil
}
