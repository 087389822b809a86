package web

import (
	"context"
	"net/http"
)

type ctxKey int

const valuesKey ctxKey = 1

// Values are the per-request facts the web layer records, read by
// middleware further in.
type Values struct {
	TraceID    string
	StatusCode int
}

func setValues(ctx context.Context, v *Values) context.Context {
	return context.WithValue(ctx, valuesKey, v)
}

// GetValues returns the request's Values, or an empty set outside a request.
func GetValues(ctx context.Context) *Values {
	v, ok := ctx.Value(valuesKey).(*Values)
	if !ok {
		return &Values{}
	}
	return v
}

// GetTraceID returns the request's trace ID, or "" outside a request.
func GetTraceID(ctx context.Context) string {
	return GetValues(ctx).TraceID
}

// Param returns the named path wildcard of the request.
func Param(r *http.Request, key string) string {
	return r.PathValue(key)
}
