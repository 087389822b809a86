// Package otel sets up OpenTelemetry tracing for a service: a tracer
// provider with a parent-based sampler and the service's identity, an OTLP
// exporter, and the one-line span helper business code uses.
package otel

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	sdkresource "go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
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
	// OnError, when set, receives OpenTelemetry's internal errors (a failed
	// export) in place of the standard logger, so they land in our log.
	OnError func(err error)
}

// Limits of the span queue between requests and the exporter. A full
// queue drops spans rather than block a request: a slow or absent
// collector must never slow the service down.
const (
	maxQueueSize       = 2048
	maxExportBatchSize = 512
	batchTimeout       = 5 * time.Second
	exportTimeout      = 10 * time.Second
)

// Init builds a tracer provider from cfg and installs it, with the W3C
// trace-context propagator, as the process's OpenTelemetry default. Its
// Shutdown flushes the spans still buffered.
func Init(cfg Config) (*sdktrace.TracerProvider, error) {
	if cfg.Probability < 0 || cfg.Probability > 1 {
		return nil, fmt.Errorf("sampling probability %v is not between 0 and 1", cfg.Probability)
	}

	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.Probability))),
		sdktrace.WithResource(sdkresource.NewSchemaless(
			attribute.String("service.name", cfg.ServiceName),
			attribute.String("service.version", cfg.Version),
		)),
	}
	if cfg.Exporter != nil {
		opts = append(opts, sdktrace.WithBatcher(cfg.Exporter,
			sdktrace.WithMaxQueueSize(maxQueueSize),
			sdktrace.WithMaxExportBatchSize(maxExportBatchSize),
			sdktrace.WithBatchTimeout(batchTimeout),
			sdktrace.WithExportTimeout(exportTimeout),
		))
	}
	tp := sdktrace.NewTracerProvider(opts...)

	if cfg.OnError != nil {
		otel.SetErrorHandler(otel.ErrorHandlerFunc(cfg.OnError))
	}
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))

	return tp, nil
}

// NewExporter returns an exporter that sends spans over OTLP/gRPC, without
// TLS, to endpoint (host:port, such as "tempo:4317"). It does not connect
// until the first export, so a collector that is not up yet is no startup
// error. Failed exports are retried briefly and then dropped.
func NewExporter(ctx context.Context, endpoint string) (sdktrace.SpanExporter, error) {
	exp, err := otlptracegrpc.New(ctx,
		otlptracegrpc.WithInsecure(),
		otlptracegrpc.WithEndpoint(endpoint),
		otlptracegrpc.WithTimeout(exportTimeout),
		otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{
			Enabled:         true,
			InitialInterval: 500 * time.Millisecond,
			MaxInterval:     2 * time.Second,
			MaxElapsedTime:  exportTimeout,
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("otlp exporter for %s: %w", endpoint, err)
	}
	return exp, nil
}
