package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// HTTPStatuser is implemented by values that choose their own status code,
// such as errors.
type HTTPStatuser interface {
	HTTPStatus() int
}

// HTTPHeaderer is implemented by values that set response headers of
// their own, such as an error's Retry-After.
type HTTPHeaderer interface {
	HTTPHeader() http.Header
}

// status wraps an Encoder with a status code other than 200.
type status struct {
	Encoder
	code int
}

func (s status) HTTPStatus() int { return s.code }

// Created marks v as a newly created resource: 201.
func Created(v Encoder) Encoder {
	return status{Encoder: v, code: http.StatusCreated}
}

// Accepted marks v as a request taken in: 202.
func Accepted(v Encoder) Encoder {
	return status{Encoder: v, code: http.StatusAccepted}
}

// NoContent is what a handler returns when there is nothing to send: 204.
var NoContent Encoder

// StatusOf returns the status v is sent with: 204 for nil, its own for an
// HTTPStatuser, else 200.
func StatusOf(v Encoder) int {
	switch s := v.(type) {
	case nil:
		return http.StatusNoContent
	case HTTPStatuser:
		return s.HTTPStatus()
	}
	return http.StatusOK
}

// Respond writes v to w and returns the status it sent.
func Respond(ctx context.Context, w http.ResponseWriter, v Encoder) (int, error) {
	if err := ctx.Err(); err != nil && v == nil {
		return 0, fmt.Errorf("client gone: %w", err)
	}

	code := StatusOf(v)
	GetValues(ctx).StatusCode = code

	if h, ok := v.(HTTPHeaderer); ok {
		for k, vs := range h.HTTPHeader() {
			w.Header()[k] = vs
		}
	}

	if v == nil {
		w.WriteHeader(http.StatusNoContent)
		return http.StatusNoContent, nil
	}

	data, contentType, err := v.Encode()
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return http.StatusInternalServerError, fmt.Errorf("encode response: %w", err)
	}

	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(code)
	if _, err := w.Write(data); err != nil {
		return code, fmt.Errorf("write response: %w", err)
	}
	return code, nil
}

// JSON encodes v as an Encoder's answer: JSON without the HTML escaping
// encoding/json does by default. The API answers JSON, never HTML (its
// Content-Type says so, and nosniff stops a browser guessing otherwise),
// so a message like "Bearer <token>" reads as written rather than as
// "Bearer \u003ctoken\u003e".
func JSON(v any) ([]byte, string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, "", err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), "application/json", nil
}
