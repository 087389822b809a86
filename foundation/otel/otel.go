// Package otel sets up OpenTelemetry tracing for a service: a tracer
// provider with a parent-based sampler and the service's identity.
package otel

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdkresource "go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Config says how to trace.
type Config struct {
	ServiceName string
	Version     string
	// Probability is the share of new traces sampled, 0 to 1; a caller's
	// sampling decision (traceparent) is always honoured.
	Probability float64
	// Exporter receives finished spans; nil keeps spans in-process only
	// (they still carry trace IDs for logs and responses).
	Exporter sdktrace.SpanExporter
}

// Provider is an installed tracer provider.
type Provider struct {
	tp *sdktrace.TracerProvider
}

// Init builds a tracer provider from cfg and installs it, with the W3C
// trace-context propagator, as the process's OpenTelemetry default.
func Init(cfg Config) (*Provider, error) {
	if cfg.Probability < 0 || cfg.Probability > 1 {
		return nil, fmt.Errorf("sampling probability %v is not between 0 and 1", cfg.Probability)
	}

	res := sdkresource.NewSchemaless(
		attribute.String("service.name", cfg.ServiceName),
		attribute.String("service.version", cfg.Version),
	)

	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.Probability))),
		sdktrace.WithResource(res),
	}
	if cfg.Exporter != nil {
		opts = append(opts, sdktrace.WithBatcher(cfg.Exporter))
	}
	tp := sdktrace.NewTracerProvider(opts...)

	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))

	return &Provider{tp: tp}, nil
}

// Tracer returns a named tracer of the provider.
func (p *Provider) Tracer(name string) trace.Tracer {
	return p.tp.Tracer(name)
}

// Shutdown flushes spans still buffered and stops the provider.
func (p *Provider) Shutdown(ctx context.Context) error {
	if err := p.tp.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutdown tracer provider: %w", err)
	}
	return nil
}
