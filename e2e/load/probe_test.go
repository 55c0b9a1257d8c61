package load

import (
	"testing"
	"time"
)

// The probe follows at most one fact of a kind per interval and as many
// at once as there are watchers, has the watchers read the kinds in turn
// and, within a kind, the timeline read least recently, and counts what
// was never seen as slower than everything seen.
func TestProbe(t *testing.T) {
	t.Parallel()
	l := NewLedger()
	p := newProbe(l, 10*time.Second, 2)
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	mark := func(n int) Key { return Key{Kind: Attendance, Person: pseudonym(n), Ref: "le-1"} }
	ack := func(k Key, at time.Duration) {
		l.Ack(k, t0.Add(at))
		p.offer(k, 0, t0.Add(at))
	}
	step := Key{Kind: HousingStepStarted, Person: pseudonym(9), Ref: "st-9"}
	// The second is too soon after the first; the fourth finds two marks
	// followed already.
	for i, at := range []time.Duration{0, 5 * time.Second, 10 * time.Second, 20 * time.Second} {
		ack(mark(i), at)
	}
	ack(step, 0)
	if f := p.freshness(Attendance); f.Followed != 2 {
		t.Fatalf("followed %d marks, want 2", f.Followed)
	}

	a, b, c := p.next(), p.next(), p.next()
	if a.Key != mark(0) || b.Key != step || c.Key != mark(2) {
		t.Fatalf("next = %v, %v, %v; want the first mark, the step, then the other mark", a.Key, b.Key, c.Key)
	}
	p.release(a, true, t0.Add(25*time.Second))  // did not show it
	p.release(c, false, t0.Add(26*time.Second)) // failed
	// The step is being read: the mark read least recently comes next.
	if d := p.next(); d != a {
		t.Fatalf("next = %v, want the first mark again", d.Key)
	}
	p.release(a, true, t0.Add(27*time.Second))
	l.Observe(pseudonym(0), []Key{{Kind: Attendance, Ref: "le-1"}}, t0.Add(30*time.Second))
	l.Observe(pseudonym(2), []Key{{Kind: Attendance, Ref: "le-1"}}, t0.Add(40*time.Second))
	for i, at := range []time.Duration{35 * time.Second, 41 * time.Second, 46 * time.Second} {
		ack(mark(5+i), at)
	}
	if n := p.pending(); n != 3 {
		t.Fatalf("pending = %d, want 3 (two marks and the step)", n)
	}
	p.stop(t0.Add(time.Minute))
	ack(mark(9), time.Hour)

	f := p.freshness(Attendance)
	if f.Followed != 4 || len(f.Seen) != 2 || f.Seen[0] != 30*time.Second || f.Unseen != 2 || f.UnseenAge != 14*time.Second {
		t.Fatalf("freshness = %+v", f)
	}
	if u := f.Uncertainty; len(u) != 2 || u[0] != 3*time.Second || u[1] != 30*time.Second {
		t.Errorf("uncertainty = %v, want [3s 30s]: since the reading that missed it, or since acknowledgement", u)
	}
	if d, above := f.Percentile(50); d != 30*time.Second || above {
		t.Errorf("p50 = %s above=%v, want 30s", d, above)
	}
	if d, above := f.Percentile(99); d != 14*time.Second || !above {
		t.Errorf("p99 = %s above=%v, want above 14s", d, above)
	}
}
