package tracectx

import sdktrace "go.opentelemetry.io/otel/sdk/trace"

// Use makes p the provider of the spans, for a test to record them.
func Use(p *sdktrace.TracerProvider) { provider.Store(p) }
