// Package tracectx carries W3C trace context (the traceparent header) with a
// request through HTTP, gRPC and Kafka, so that one user action can be
// followed across services in logs. It carries identifiers only, never data.
package tracectx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"

	"github.com/segmentio/kafka-go"
	"google.golang.org/grpc/metadata"
)

// Header is the W3C trace context header, also used as Kafka header and gRPC
// metadata key.
const Header = "traceparent"

// Span identifies where in a trace the current work is.
type Span struct {
	TraceID string // 32 lowercase hex digits
	SpanID  string // 16 lowercase hex digits
}

// Parent renders s as a traceparent value.
func (s Span) Parent() string {
	if s.TraceID == "" {
		return ""
	}
	return "00-" + s.TraceID + "-" + s.SpanID + "-01"
}

type key struct{}

// With returns ctx carrying s.
func With(ctx context.Context, s Span) context.Context { return context.WithValue(ctx, key{}, s) }

// From returns the span ctx carries, or the zero Span.
func From(ctx context.Context) Span {
	s, _ := ctx.Value(key{}).(Span)
	return s
}

// Continue returns ctx carrying a new span of the trace named by parent (a
// traceparent value), or of a new trace when parent is absent or malformed.
func Continue(ctx context.Context, parent string) context.Context {
	traceID, ok := parse(parent)
	if !ok {
		traceID = randomHex(16)
	}
	return With(ctx, Span{TraceID: traceID, SpanID: randomHex(8)})
}

func parse(p string) (traceID string, ok bool) {
	parts := strings.Split(p, "-")
	if len(parts) != 4 || len(parts[0]) != 2 || len(parts[1]) != 32 || len(parts[2]) != 16 || len(parts[3]) != 2 {
		return "", false
	}
	if !isHex(parts[1]) || !isHex(parts[2]) || parts[1] == strings.Repeat("0", 32) {
		return "", false
	}
	return parts[1], true
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// HTTP continues the caller's trace (or starts one) for each request and
// echoes the traceparent in the response, so a user's error report can be
// matched with the logs.
func HTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := Continue(r.Context(), r.Header.Get(Header))
		w.Header().Set(Header, From(ctx).Parent())
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ToHTTP sets the traceparent of an outgoing request.
func ToHTTP(ctx context.Context, r *http.Request) context.Context {
	if p := From(ctx).Parent(); p != "" {
		r.Header.Set(Header, p)
	}
	return ctx
}

// FromKafka continues the trace a Kafka message carries.
func FromKafka(ctx context.Context, headers []kafka.Header) context.Context {
	for _, h := range headers {
		if h.Key == Header {
			return Continue(ctx, string(h.Value))
		}
	}
	return Continue(ctx, "")
}

// ToGRPC sets the traceparent on outgoing gRPC metadata.
func ToGRPC(ctx context.Context, md *metadata.MD) context.Context {
	if p := From(ctx).Parent(); p != "" {
		md.Set(Header, p)
	}
	return ctx
}

// FromGRPC continues the trace of incoming gRPC metadata.
func FromGRPC(ctx context.Context, md metadata.MD) context.Context {
	var parent string
	if v := md.Get(Header); len(v) > 0 {
		parent = v[0]
	}
	return Continue(ctx, parent)
}

// LogHandler adds the trace id of the record's context to every log record,
// so that one user action can be followed across services.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if s := From(ctx); s.TraceID != "" {
		r.AddAttrs(slog.String("trace_id", s.TraceID))
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(as)}
}
func (h logHandler) WithGroup(n string) slog.Handler { return logHandler{h.Handler.WithGroup(n)} }
