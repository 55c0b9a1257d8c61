package tracectx_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/segmentio/kafka-go"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc/metadata"

	"github.com/percorsi/percorsi/pkg/tracectx"
)

const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

// One action followed: an HTTP request continues the caller's trace, the
// event it stores carries it, the consumer continues it; the spans are
// named by route and topic, never by the path that names a person.
func TestOneTraceAcrossHTTPAndKafka(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tracectx.Use(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))

	var stored string
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /v1/persons/{id}/plan", func(w http.ResponseWriter, r *http.Request) {
		stored = tracectx.Parent(r.Context())
		w.WriteHeader(http.StatusNoContent)
	})
	resp := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPut, "/v1/persons/ps-amina/plan", nil)
	req.Header.Set(tracectx.Header, parent)
	tracectx.HTTP(mux).ServeHTTP(resp, req)

	const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
	if !strings.Contains(stored, trace) || !strings.Contains(resp.Header().Get(tracectx.Header), trace) || stored == parent {
		t.Fatalf("stored %q, echoed %q: want a new span of trace %s", stored, resp.Header().Get(tracectx.Header), trace)
	}
	ctx, span := tracectx.FromKafka(t.Context(), kafka.Message{Topic: "courses.v1", Headers: []kafka.Header{{Key: tracectx.Header, Value: []byte(stored)}}})
	if tracectx.TraceID(ctx) != trace {
		t.Fatalf("consumer's trace %q, want %s", tracectx.TraceID(ctx), trace)
	}
	span.End()

	ended := rec.Ended()
	if len(ended) != 2 || ended[0].Name() != "PUT /v1/persons/{id}/plan" || ended[1].Name() != "consume courses.v1" {
		t.Fatalf("spans %v", names(ended))
	}
	if ended[1].Parent().SpanID() != ended[0].SpanContext().SpanID() {
		t.Fatal("the consumer's span is not a child of the request's")
	}
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return out
}

// A missing or malformed traceparent starts a new trace.
func TestNewTraceWithoutAValidParent(t *testing.T) {
	for _, bad := range []string{"", "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-XYZ92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"} {
		var seen string
		h := tracectx.HTTP(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = tracectx.TraceID(r.Context()) }))
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set(tracectx.Header, bad)
		h.ServeHTTP(httptest.NewRecorder(), req)
		if len(seen) != 32 || seen == strings.Repeat("0", 32) {
			t.Errorf("from %q: trace %q", bad, seen)
		}
	}
}

func TestGRPCAndLogs(t *testing.T) {
	ctx := tracectx.FromGRPC(context.Background(), metadata.Pairs(tracectx.Header, parent))
	defer tracectx.EndGRPC(ctx, nil)
	var buf bytes.Buffer
	slog.New(tracectx.LogHandler(slog.NewTextHandler(&buf, nil))).InfoContext(ctx, "applied")
	if !strings.Contains(buf.String(), "trace_id=4bf92f3577b34da6a3ce929d0e0e4736") {
		t.Fatalf("log %q lacks the trace id", buf.String())
	}
}

// A gRPC call continues the caller's trace: the client puts the
// traceparent in the metadata, and the server's span is in the same trace.
func TestTraceOverGRPC(t *testing.T) {
	caller := tracectx.FromGRPC(context.Background(), metadata.Pairs(tracectx.Header, parent))
	defer tracectx.EndGRPC(caller, nil)
	md := metadata.MD{}
	tracectx.ToGRPC(caller, &md)
	served := tracectx.FromGRPC(context.Background(), md)
	defer tracectx.EndGRPC(served, nil)
	if got := tracectx.TraceID(served); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("served in trace %q, metadata %v", got, md)
	}
	if tracectx.Parent(served) == tracectx.Parent(caller) {
		t.Error("the server's span is the caller's")
	}
}
