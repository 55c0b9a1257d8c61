package load

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"none", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p95 of 1..100", ms(hundred...), 95, 95 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p100 is the max", ms(hundred...), 100, 100 * time.Millisecond},
		{"tiny p is the min", ms(3, 4), 0.1, 3 * time.Millisecond},
	} {
		if got := Percentile(tc.sorted, tc.p); got != tc.want {
			t.Errorf("%s: Percentile(p%v) = %s, want %s", tc.name, tc.p, got, tc.want)
		}
	}
}

func TestLedgerFreshnessAndCheck(t *testing.T) {
	t.Parallel()
	l := NewLedger()
	t0 := time.Date(2026, 9, 21, 9, 0, 0, 0, time.UTC)
	mark1 := Key{Kind: Attendance, Person: "ps-1", Ref: "le-1"}
	mark2 := Key{Kind: Attendance, Person: "ps-1", Ref: "le-2"}
	placed := Key{Kind: PlacementConfirmed, Person: "ps-1", Ref: "pl-9"}
	step := Key{Kind: HousingStepStarted, Person: "ps-2", Ref: "st-2"}
	l.Ack(mark1, t0)
	l.Ack(mark2, t0.Add(time.Second))
	l.Ack(placed, t0.Add(2*time.Second))
	l.Ack(step, t0)
	l.Ack(mark1, t0.Add(time.Hour)) // a retry keeps the first acknowledgement

	// The timeline's wire form names lessons, not placements: a fact of
	// the right kind without a ref matches.
	n := l.Observe("ps-1", []Key{{Kind: Attendance, Ref: "le-1"}, {Kind: PlacementConfirmed}, {Kind: "taken_in_charge"}}, t0.Add(3*time.Second))
	if n != 2 {
		t.Fatalf("Observe saw %d facts for the first time, want 2", n)
	}
	if !l.Seen(mark1) || l.Seen(mark2) || !l.Seen(placed) {
		t.Fatal("mark1 and the placement were seen, mark2 not yet")
	}
	l.Observe("ps-1", []Key{{Kind: Attendance, Ref: "le-1"}, {Kind: Attendance, Ref: "le-2"}}, t0.Add(5*time.Second))
	if f, ok := l.Fact(mark2); !ok || f.SeenAt.Sub(f.AckedAt) != 4*time.Second {
		t.Fatalf("mark2 = %+v, %v; want seen 4s after acknowledgement", f, ok)
	}
	if _, ok := l.Fact(Key{Kind: Attendance, Person: "ps-3"}); ok {
		t.Fatal("ps-3 has no fact")
	}
	if acked, seen := l.Count(""); acked != 4 || seen != 3 {
		t.Fatalf("Count = %d acked %d seen, want 4 and 3", acked, seen)
	}

	// The full check: mark2 twice, the step missing.
	v := l.Check([]Key{mark1, mark2, mark2, placed, {Kind: Attendance, Person: "ps-7", Ref: "le-1"}})
	if v.Acked != 4 || v.ExactlyOnce != 2 || len(v.Missing) != 1 || v.Missing[0].Key != step || len(v.Duplicated) != 1 || v.Duplicated[0].Key != mark2 || v.Duplicated[0].Copies != 2 {
		t.Fatalf("Check = %+v", v)
	}
}

func TestRecorder(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	r := NewRecorder(t0)
	for i := range 10 {
		r.Record("a", t0.Add(time.Duration(i)*300*time.Millisecond), time.Duration(i+1)*time.Millisecond, nil)
	}
	r.Record("a", t0, time.Second, &StatusError{Action: "a", Code: 503})
	r.Add("marks", t0.Add(1500*time.Millisecond), 25)
	got := r.Actions()
	if len(got) != 1 || got[0].OK != 10 || got[0].Failed["status 503"] != 1 || got[0].P50 != 5*time.Millisecond || got[0].Max != 10*time.Millisecond {
		t.Fatalf("Actions = %+v", got)
	}
	if s := r.Series("a"); len(s) != 3 || s[0] != 4 || s[1] != 3 || s[2] != 3 {
		t.Fatalf("per-second series = %v, want [4 3 3]", s)
	}
	if n := r.Total("marks", 1, 2); n != 25 {
		t.Fatalf("marks in second 1 = %d, want 25", n)
	}
}
