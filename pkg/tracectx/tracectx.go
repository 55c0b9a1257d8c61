// Package tracectx follows one user action across services through
// OpenTelemetry: W3C trace context in and out of HTTP, gRPC and Kafka
// headers, a span for each request served and each event consumed, OTLP
// export when configured, and the trace id on every log record. Spans carry
// routes, topics and status, never identifiers of people or their data.
package tracectx

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync/atomic"

	"github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// Header is the W3C trace context header, also the Kafka header and gRPC
// metadata key.
const Header = "traceparent"

var (
	propagator = propagation.TraceContext{}
	// provider makes the spans. Until Setup, one without an exporter, so
	// that trace ids are made and carried (and logged) in tests and dev.
	provider atomic.Pointer[sdktrace.TracerProvider]
)

func init() { provider.Store(sdktrace.NewTracerProvider()) }

func tracer() trace.Tracer { return provider.Load().Tracer("github.com/percorsi/percorsi") }

// Setup names the spans of service and, when OTEL_EXPORTER_OTLP_ENDPOINT
// or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, exports them there over
// OTLP/HTTP (the exporter reads the rest of its OTEL_* settings itself).
// shutdown flushes what is pending.
func Setup(ctx context.Context, service string) (shutdown func(context.Context) error, err error) {
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(service))),
	}
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" {
		exp, err := otlptracehttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	p := sdktrace.NewTracerProvider(opts...)
	provider.Store(p)
	return p.Shutdown, nil
}

// Parent is the traceparent of ctx's span, "" when it has none: what an
// outbox message keeps to continue the trace when it is published.
func Parent(ctx context.Context) string {
	c := propagation.MapCarrier{}
	propagator.Inject(ctx, c)
	return c[Header]
}

// TraceID is the trace id of ctx's span, "" when it has none.
func TraceID(ctx context.Context) string {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		return sc.TraceID().String()
	}
	return ""
}

// HTTP serves each request in a server span continuing the caller's trace
// (or starting one), named by the route matched, and echoes the
// traceparent in the response so that a user's error report can be
// matched with the logs.
func HTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := tracer().Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		propagator.Inject(ctx, propagation.HeaderCarrier(w.Header()))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		r = r.WithContext(ctx)
		next.ServeHTTP(sw, r)
		if r.Pattern != "" { // set by the ServeMux; the path may name a person
			span.SetName(r.Pattern)
		}
		span.SetAttributes(attribute.Int("http.response.status_code", sw.status))
		if sw.status >= 500 {
			span.SetStatus(codes.Error, http.StatusText(sw.status))
		}
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ToHTTP sets the traceparent of an outgoing request (a go-kit
// ClientBefore).
func ToHTTP(ctx context.Context, r *http.Request) context.Context {
	propagator.Inject(ctx, propagation.HeaderCarrier(r.Header))
	return ctx
}

// FromKafka starts the consumer span of m, continuing the trace of the
// request that stored it; the caller ends it.
func FromKafka(ctx context.Context, m kafka.Message) (context.Context, trace.Span) {
	ctx = propagator.Extract(ctx, kafkaCarrier(m.Headers))
	return tracer().Start(ctx, "consume "+m.Topic, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("messaging.destination.name", m.Topic), attribute.Int("messaging.destination.partition.id", m.Partition)))
}

// kafkaCarrier reads trace context from a message's headers.
type kafkaCarrier []kafka.Header

func (c kafkaCarrier) Get(key string) string {
	for _, h := range c {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func (c kafkaCarrier) Set(string, string) {} // read only: the relay writes the header

func (c kafkaCarrier) Keys() []string {
	keys := make([]string, len(c))
	for i, h := range c {
		keys[i] = h.Key
	}
	return keys
}

// FromGRPC starts the server span of a gRPC call, continuing the caller's
// trace (a go-kit ServerBefore); EndGRPC ends it.
func FromGRPC(ctx context.Context, md metadata.MD) context.Context {
	ctx = propagator.Extract(ctx, grpcCarrier(md))
	method, _ := grpc.Method(ctx)
	ctx, _ = tracer().Start(ctx, method, trace.WithSpanKind(trace.SpanKindServer))
	return ctx
}

// EndGRPC ends the span FromGRPC started (a go-kit ServerFinalizer).
func EndGRPC(ctx context.Context, err error) {
	span := trace.SpanFromContext(ctx)
	if err != nil {
		span.SetStatus(codes.Error, "failed")
	}
	span.End()
}

// ToGRPC sets the traceparent of an outgoing gRPC call (a go-kit
// ClientBefore).
func ToGRPC(ctx context.Context, md *metadata.MD) context.Context {
	propagator.Inject(ctx, grpcCarrier(*md))
	return ctx
}

type grpcCarrier metadata.MD

func (c grpcCarrier) Get(key string) string {
	if v := metadata.MD(c).Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

func (c grpcCarrier) Set(key, value string) { metadata.MD(c).Set(key, value) }

func (c grpcCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// LogHandler adds the trace id of the record's context to every log record,
// so that one user action can be followed across services.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := TraceID(ctx); id != "" {
		r.AddAttrs(slog.String("trace_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(as)}
}
func (h logHandler) WithGroup(n string) slog.Handler { return logHandler{h.Handler.WithGroup(n)} }
