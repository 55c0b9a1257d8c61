package breaker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/percorsi/percorsi/pkg/breaker"
	"github.com/percorsi/percorsi/pkg/errcode"
)

func TestBusinessErrorsDoNotTrip(t *testing.T) {
	t.Parallel()
	cb := breaker.New("business", time.Minute)
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
	cb := breaker.New("infra", 20*time.Millisecond)
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
