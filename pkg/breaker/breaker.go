// Package breaker adapts sony/gobreaker v2 to go-kit endpoints (kit's own
// adapter targets gobreaker v1). Only infrastructure faults count against a
// breaker: a business error (bad input, not found, conflict, forbidden) is a
// healthy answer from the other side.
package breaker

import (
	"context"
	"errors"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// Metrics is the breaker state gauge of one process: 0 closed, 1
// half-open, 2 open, by breaker name. Each process registers its own, so
// that two processes in one binary (the all-in-one runner, tests) never
// overwrite each other's states.
type Metrics struct{ state *prometheus.GaugeVec }

// NewMetrics registers a breaker state gauge with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{state: prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "percorsi_breaker_state", Help: "Circuit breaker state: 0 closed, 1 half-open, 2 open.",
	}, []string{"breaker"})}
	if err := reg.Register(m.state); err != nil {
		return nil, err
	}
	return m, nil
}

// New returns a breaker, reported by m, that opens after 5 consecutive
// infrastructure failures, or more than half of at least 10 calls in a
// 10 s window, and lets one call through after openFor.
func (m *Metrics) New(name string, openFor time.Duration) *gobreaker.CircuitBreaker[any] {
	m.state.WithLabelValues(name).Set(0)
	return gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name:     name,
		Interval: 10 * time.Second,
		Timeout:  openFor,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.ConsecutiveFailures >= 5 || (c.Requests >= 10 && c.TotalFailures*2 > c.Requests)
		},
		IsExcluded: errcode.IsBusiness,
		OnStateChange: func(name string, _, to gobreaker.State) {
			m.state.WithLabelValues(name).Set(float64(to))
		},
	})
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
