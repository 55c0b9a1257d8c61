package tracectx_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/segmentio/kafka-go"

	"github.com/percorsi/percorsi/pkg/tracectx"
)

func TestContinueKeepsTheTrace(t *testing.T) {
	t.Parallel()
	parent := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	ctx := tracectx.Continue(context.Background(), parent)
	s := tracectx.From(ctx)
	if s.TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" || s.SpanID == "00f067aa0ba902b7" || len(s.SpanID) != 16 {
		t.Fatalf("span %+v", s)
	}
	// Across Kafka: the consumer continues the producer's trace.
	next := tracectx.From(tracectx.FromKafka(context.Background(), []kafka.Header{{Key: "traceparent", Value: []byte(s.Parent())}}))
	if next.TraceID != s.TraceID {
		t.Fatalf("trace lost over Kafka: %+v", next)
	}
	for _, bad := range []string{"", "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-XYZ92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"} {
		if got := tracectx.From(tracectx.Continue(context.Background(), bad)); len(got.TraceID) != 32 || got.TraceID == "00000000000000000000000000000000" {
			t.Errorf("from %q: new trace %+v", bad, got)
		}
	}
}

func TestHTTPEchoesTheTrace(t *testing.T) {
	t.Parallel()
	var seen string
	h := tracectx.HTTP(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		seen = tracectx.From(r.Context()).TraceID
	}))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(rec, req)
	if seen != "4bf92f3577b34da6a3ce929d0e0e4736" || rec.Header().Get("traceparent")[3:35] != seen {
		t.Fatalf("seen %q, echoed %q", seen, rec.Header().Get("traceparent"))
	}
}
