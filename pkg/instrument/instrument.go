// Package instrument is the generic go-kit endpoint middleware every service
// wraps around every endpoint: one log line and Prometheus metrics per call,
// written once here instead of once per method.
package instrument

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// Metrics are a service's per-endpoint request counts and latencies.
// Labels are endpoint names and error codes only, never request data.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the endpoint metrics of service with reg.
func NewMetrics(reg prometheus.Registerer, service string) *Metrics {
	labels := prometheus.Labels{"service": service}
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "percorsi_endpoint_requests_total", Help: "Endpoint calls by outcome code (ok or an error code).", ConstLabels: labels,
		}, []string{"endpoint", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "percorsi_endpoint_duration_seconds", Help: "Endpoint latency.", ConstLabels: labels,
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"endpoint"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// Endpoint returns the middleware for the endpoint called name.
func Endpoint(name string, log *slog.Logger, m *Metrics) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req any) (resp any, err error) {
			start := time.Now()
			defer func() {
				failure := err
				if f, ok := resp.(endpoint.Failer); ok && failure == nil {
					failure = f.Failed()
				}
				code := string(errcode.Of(failure))
				switch {
				case code == "":
					code = "ok"
				case errors.Is(failure, context.Canceled):
					code = "canceled" // the caller left or the process is stopping
				}
				took := time.Since(start)
				m.requests.WithLabelValues(name, code).Inc()
				m.duration.WithLabelValues(name).Observe(took.Seconds())
				// Business errors name fields and rules, never values; the
				// cause of an internal error is ours, never user data.
				switch code {
				case string(errcode.Internal), string(errcode.Unavailable):
					log.ErrorContext(ctx, "endpoint failed", "endpoint", name, "code", code, "took", took, "err", failure)
				case "ok", "canceled":
					log.DebugContext(ctx, "endpoint", "endpoint", name, "code", code, "took", took)
				default:
					log.InfoContext(ctx, "endpoint refused", "endpoint", name, "code", code, "took", took)
				}
			}()
			return next(ctx, req)
		}
	}
}
