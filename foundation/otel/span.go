package otel

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// tracer is the process's default tracer provider, looked up on each start
// by the global delegate, so spans follow whatever Init installed (and are
// no-ops before that, or in tests that install nothing).
var tracer = otel.Tracer("github.com/garagesale/service")

// AddSpan starts a child span of ctx's span and returns the context that
// carries it. It is the one line at the top of each business method that
// gives every business call its own span, whatever the domain:
//
//	ctx, span := otel.AddSpan(ctx, "userbus.Create")
//	defer span.End()
//
// Attributes must never carry user data (emails, names, secrets).
func AddSpan(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	return tracer.Start(ctx, name, trace.WithAttributes(attrs...))
}
