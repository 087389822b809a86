package otel

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracer looks up the process's default provider on each start, so spans
// follow whatever Init installed (no-ops before that, or in tests).
var tracer = otel.Tracer("github.com/garagesale/service")

// AddSpan starts a child span of ctx's span and returns the context that
// carries it: the one line at the top of each business method.
//
//	ctx, span := otel.AddSpan(ctx, "userbus.Create")
//	defer span.End()
//
// Attributes must never carry user data (emails, names, secrets).
func AddSpan(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	return tracer.Start(ctx, name, trace.WithAttributes(attrs...))
}

// Fail marks ctx's span as failed, with what failed (status) and why
// (err, recorded as the span's exception): a trace viewer then shows the
// request among the failed ones, with its cause. The cause goes where the
// log line's does; one that may quote what a user sent (a database's
// error can) is for the caller to leave out or clip.
func Fail(ctx context.Context, status string, err error) {
	span := trace.SpanFromContext(ctx)
	span.RecordError(err)
	span.SetStatus(codes.Error, status)
}
