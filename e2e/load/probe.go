package load

import (
	"math"
	"slices"
	"sync"
	"time"
)

// probe is the sample of acknowledged facts the watchers follow to the
// people's timelines, to measure freshness. At most one fact of a kind is
// followed every `every`, so that the sample spans the whole run however
// fast facts are acknowledged, and at most `watchers` of a kind at once,
// so that the watchers read each often: a fact's freshness is known to
// within the time between two readings of its timeline, which the report
// gives, and never includes a wait for a free watcher.
//
// Watchers take the kinds in turn, so that a slow pipeline does not hold
// up the reading of a fast one, and within a kind the fact whose timeline
// was read least recently. Nothing is given up on: what the watchers have
// not seen when they stop is counted as such, with its age.
type probe struct {
	ledger   *Ledger
	every    time.Duration
	watchers int

	mu      sync.Mutex
	last    map[string]time.Time // when a fact of the kind was last followed
	queues  map[string][]*followed
	kinds   []string // in the order they were first followed
	turn    int
	stopped time.Time // when the watchers stopped; zero while they read
}

type followed struct {
	Key
	org      int
	acked    time.Time
	lastRead time.Time // the last reading of its timeline
	lastMiss time.Time // the last reading that did not show it
	claimed  bool      // a watcher is reading its timeline
}

func newProbe(l *Ledger, every time.Duration, watchers int) *probe {
	return &probe{ledger: l, every: every, watchers: max(watchers, 1), last: map[string]time.Time{}, queues: map[string][]*followed{}}
}

// offer follows k, acknowledged at at, unless a fact of its kind was
// followed too recently or enough of its kind are followed (see probe).
func (p *probe) offer(k Key, org int, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.stopped.IsZero() || at.Sub(p.last[k.Kind]) < p.every || p.unseen(k.Kind) >= p.watchers {
		return
	}
	p.last[k.Kind] = at
	if _, ok := p.queues[k.Kind]; !ok {
		p.kinds = append(p.kinds, k.Kind)
	}
	p.queues[k.Kind] = append(p.queues[k.Kind], &followed{Key: k, org: org, acked: at})
}

func (p *probe) unseen(kind string) int {
	n := 0
	for _, f := range p.queues[kind] {
		if !p.ledger.Seen(f.Key) {
			n++
		}
	}
	return n
}

// next claims, of the next kind in turn that has one, the followed fact
// not yet seen nor being read whose timeline was read least recently; nil
// if none.
func (p *probe) next() *followed {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.kinds {
		kind := p.kinds[(p.turn+i)%len(p.kinds)]
		var pick *followed
		for _, f := range p.queues[kind] {
			if !f.claimed && !p.ledger.Seen(f.Key) && (pick == nil || f.lastRead.Before(pick.lastRead)) {
				pick = f
			}
		}
		if pick != nil {
			pick.claimed = true
			p.turn = (p.turn + i + 1) % len(p.kinds)
			return pick
		}
	}
	return nil
}

// release hands f back after a reading that ended at at, successful or
// not (ok).
func (p *probe) release(f *followed, ok bool, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f.claimed, f.lastRead = false, at
	if ok && !p.ledger.Seen(f.Key) {
		f.lastMiss = at
	}
}

// pending counts the followed facts not seen yet.
func (p *probe) pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for kind := range p.queues {
		n += p.unseen(kind)
	}
	return n
}

// stop ends the following: later offers are ignored, and what is unseen
// stays unseen.
func (p *probe) stop(at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped.IsZero() {
		p.stopped = at
	}
}

// Freshness is what the probe measured of one kind of fact.
type Freshness struct {
	Followed int
	Seen     []time.Duration // acknowledgement to first sight, ascending
	// Uncertainty is, for each fact seen, how long before its first
	// sight the last reading that did not show it was (or its
	// acknowledgement, if none did): its freshness is within that of the
	// figure. Ascending.
	Uncertainty []time.Duration
	// Unseen were not on the timeline when the watchers stopped;
	// UnseenAge is the youngest of them then: their freshness is above it.
	Unseen    int
	UnseenAge time.Duration
}

// freshness sums up kind.
func (p *probe) freshness(kind string) Freshness {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out Freshness
	for _, f := range p.queues[kind] {
		out.Followed++
		fact, _ := p.ledger.Fact(f.Key)
		if !fact.SeenAt.IsZero() {
			out.Seen = append(out.Seen, fact.SeenAt.Sub(fact.AckedAt))
			from := fact.AckedAt
			if f.lastMiss.After(from) {
				from = f.lastMiss
			}
			out.Uncertainty = append(out.Uncertainty, fact.SeenAt.Sub(from))
			continue
		}
		end := p.stopped
		if end.IsZero() {
			end = time.Now()
		}
		if age := end.Sub(f.acked); out.Unseen == 0 || age < out.UnseenAge {
			out.UnseenAge = age
		}
		out.Unseen++
	}
	slices.Sort(out.Seen)
	slices.Sort(out.Uncertainty)
	return out
}

// Percentile is the p-th percentile (nearest rank) of every followed
// fact's freshness, the unseen ones counting as longer than any seen;
// above says the percentile is an unseen fact's, beyond d (the youngest
// unseen fact's age when the watchers stopped), not equal to it.
func (f Freshness) Percentile(p float64) (d time.Duration, above bool) {
	n := len(f.Seen) + f.Unseen
	if n == 0 {
		return 0, false
	}
	rank := min(max(int(math.Ceil(p/100*float64(n))), 1), n)
	if rank > len(f.Seen) {
		return f.UnseenAge, true
	}
	return f.Seen[rank-1], false
}
