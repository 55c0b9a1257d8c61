package endpointkit_test

import (
	"context"
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/endpointkit"
	"github.com/percorsi/percorsi/pkg/errcode"
)

type req struct{ N int }

func TestTyped(t *testing.T) {
	double := endpointkit.Typed(func(_ context.Context, r req) (int, error) {
		if r.N < 0 {
			return 0, errcode.New(errcode.Invalid, "n", "must not be negative")
		}
		return 2 * r.N, nil
	})
	if got, err := double(t.Context(), req{N: 2}); err != nil || got != 4 {
		t.Fatalf("double(2) = %v, %v", got, err)
	}
	if got, err := double(t.Context(), req{N: -1}); got != nil || errcode.Of(err) != errcode.Invalid {
		t.Fatalf("a refusal answered %#v (want an untyped nil), %v", got, err)
	}
	if _, err := double(t.Context(), "not a req"); errcode.Of(err) != errcode.Internal {
		t.Fatalf("a request of the wrong type: %v, want Internal", err)
	}
	if got, err := double(t.Context(), nil); err != nil || got != 0 {
		t.Fatalf("no request (httpkit.None's): %v, %v, want the zero request's answer", got, err)
	}
}

func TestDates(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := endpointkit.Date("from", "2026-09-15", rome); err != nil || d.Location() != rome || d.Day() != 15 {
		t.Fatalf("Date in Rome: %v, %v", d, err)
	}
	for _, s := range []string{"", "15/09/2026", "2026-02-30"} {
		if _, err := endpointkit.Date("from", s, nil); errcode.As(err) == nil || errcode.As(err).Field != "from" {
			t.Errorf("Date(%q): %v, want Invalid naming from", s, err)
		}
	}
	if d, err := endpointkit.OptionalDate("until", "", nil); err != nil || !d.IsZero() {
		t.Fatalf("OptionalDate of nothing: %v, %v", d, err)
	}
	if _, err := endpointkit.Time("start", "2026-11-02 09:00"); errcode.As(err) == nil || errcode.As(err).Field != "start" {
		t.Fatalf("Time of a non-RFC 3339 time: %v", err)
	}
	if endpointkit.FormatDate(time.Time{}) != "" || endpointkit.FormatDate(time.Date(2026, 9, 15, 0, 0, 0, 0, rome)) != "2026-09-15" {
		t.Fatal("FormatDate")
	}
}
