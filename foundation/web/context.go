package web

import (
	"context"
	"net/http"
)

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
