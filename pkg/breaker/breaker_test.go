package breaker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/percorsi/percorsi/pkg/breaker"
	"github.com/percorsi/percorsi/pkg/errcode"
)

func TestBusinessErrorsDoNotTrip(t *testing.T) {
	t.Parallel()
	cb := newMetrics(t).New("business", time.Minute)
	e := breaker.Middleware(cb)(func(context.Context, any) (any, error) {
		return nil, errcode.New(errcode.NotFound, "person", "unknown")
	})
	for range 50 {
		if _, err := e(t.Context(), nil); errcode.Of(err) != errcode.NotFound {
			t.Fatalf("err = %v", err)
		}
	}
	if cb.State() != gobreaker.StateClosed {
		t.Fatalf("state = %v after business errors", cb.State())
	}
}

func TestOpensAndRecovers(t *testing.T) {
	t.Parallel()
	down := true
	cb := newMetrics(t).New("infra", 20*time.Millisecond)
	calls := 0
	e := breaker.Middleware(cb)(func(context.Context, any) (any, error) {
		calls++
		if down {
			return nil, errors.New("connection refused")
		}
		return "ok", nil
	})
	for range 5 {
		if _, err := e(t.Context(), nil); err == nil {
			t.Fatal("want failure")
		}
	}
	if cb.State() != gobreaker.StateOpen {
		t.Fatalf("state = %v after 5 failures", cb.State())
	}
	_, err := e(t.Context(), nil)
	if errcode.Of(err) != errcode.Unavailable || calls != 5 {
		t.Fatalf("open breaker: err = %v, calls = %d (the failing side must be spared)", err, calls)
	}
	down = false
	time.Sleep(30 * time.Millisecond) // past the open period: one trial call goes through
	if resp, err := e(t.Context(), nil); err != nil || resp != "ok" {
		t.Fatalf("trial call: %v %v", resp, err)
	}
	if cb.State() != gobreaker.StateClosed {
		t.Fatalf("state = %v after a successful trial", cb.State())
	}
}

// Two processes in one binary each report their own breakers of the same
// name: one opening does not show as open in the other's metrics.
func TestMetricsPerRegistry(t *testing.T) {
	t.Parallel()
	regA, regB := prometheus.NewRegistry(), prometheus.NewRegistry()
	a, err := breaker.NewMetrics(regA)
	if err != nil {
		t.Fatal(err)
	}
	b, err := breaker.NewMetrics(regB)
	if err != nil {
		t.Fatal(err)
	}
	failing := breaker.Middleware(a.New("web_jobs", time.Minute))(func(context.Context, any) (any, error) {
		return nil, errors.New("connection refused")
	})
	b.New("web_jobs", time.Minute)
	for range 5 {
		_, _ = failing(t.Context(), nil)
	}
	for _, c := range []struct {
		reg  *prometheus.Registry
		want float64
	}{{regA, 2}, {regB, 0}} {
		if got := state(t, c.reg); got != c.want {
			t.Errorf("state = %v, want %v", got, c.want)
		}
	}
}

func state(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil || len(mfs) != 1 || len(mfs[0].Metric) != 1 {
		t.Fatalf("gathered %v, %v: want one breaker", mfs, err)
	}
	return mfs[0].Metric[0].GetGauge().GetValue()
}

func newMetrics(t *testing.T) *breaker.Metrics {
	t.Helper()
	m, err := breaker.NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// An open breaker nobody calls shows half-open once its open period is
// over, as the next call would find it.
func TestGaugeShowsHalfOpenWithoutACall(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m, err := breaker.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	failing := breaker.Middleware(m.New("web_courses", 20*time.Millisecond))(func(context.Context, any) (any, error) {
		return nil, errors.New("connection refused")
	})
	for range 5 {
		_, _ = failing(t.Context(), nil)
	}
	if got := state(t, reg); got != 2 {
		t.Fatalf("state = %v after 5 failures, want 2 (open)", got)
	}
	time.Sleep(30 * time.Millisecond)
	if got := state(t, reg); got != 1 {
		t.Fatalf("state = %v past the open period, want 1 (half-open)", got)
	}
}
