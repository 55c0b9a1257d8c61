// Package breaker adapts sony/gobreaker v2 to go-kit endpoints (kit's own
// adapter targets gobreaker v1). Only infrastructure faults count against a
// breaker: a business error (bad input, not found, conflict, forbidden) is a
// healthy answer from the other side.
package breaker

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// Metrics is the breaker state gauge of one process: 0 closed, 1
// half-open, 2 open, by breaker name. Each process registers its own, so
// that two processes in one binary (the all-in-one runner, tests) never
// overwrite each other's states. The state is read from each breaker when
// scraped: gobreaker moves an open breaker to half-open only when asked,
// so a gauge set on its transitions would show a breaker nobody calls
// open for good.
type Metrics struct {
	desc *prometheus.Desc

	mu       sync.Mutex
	breakers map[string]*gobreaker.CircuitBreaker[any]
}

// NewMetrics registers a breaker state gauge with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		desc:     prometheus.NewDesc("percorsi_breaker_state", "Circuit breaker state: 0 closed, 1 half-open, 2 open.", []string{"breaker"}, nil),
		breakers: map[string]*gobreaker.CircuitBreaker[any]{},
	}
	if err := reg.Register(m); err != nil {
		return nil, err
	}
	return m, nil
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) { ch <- m.desc }

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, cb := range m.breakers {
		ch <- prometheus.MustNewConstMetric(m.desc, prometheus.GaugeValue, float64(cb.State()), name)
	}
}

// New returns a breaker, reported by m, that opens after 5 consecutive
// infrastructure failures, or more than half of at least 10 calls in a
// 10 s window, and lets one call through after openFor.
func (m *Metrics) New(name string, openFor time.Duration) *gobreaker.CircuitBreaker[any] {
	cb := gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name:     name,
		Interval: 10 * time.Second,
		Timeout:  openFor,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.ConsecutiveFailures >= 5 || (c.Requests >= 10 && c.TotalFailures*2 > c.Requests)
		},
		IsExcluded: errcode.IsBusiness,
	})
	m.mu.Lock()
	m.breakers[name] = cb
	m.mu.Unlock()
	return cb
}

// Middleware guards an endpoint with cb. Errors carried in a response
// (endpoint.Failer) are business errors and pass through untouched.
func Middleware(cb *gobreaker.CircuitBreaker[any]) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			resp, err := cb.Execute(func() (any, error) { return next(ctx, req) })
			if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
				return nil, &errcode.Error{Code: errcode.Unavailable, Message: "service temporarily unavailable", Err: err}
			}
			return resp, err
		}
	}
}
