package load

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// Kinds of facts the ledger follows, named as the pathway timeline names
// them.
const (
	Attendance         = "attendance"
	PlacementConfirmed = "placement_confirmed"
	HousingStepStarted = "housing_step_started"
)

// Key names one fact a user had acknowledged: its kind, the person it is
// about, and what it refers to (the lesson of a mark, the placement, the
// housing step).
type Key struct {
	Kind, Person, Ref string
}

// Fact is an acknowledged fact and what became of it.
type Fact struct {
	Key
	AckedAt time.Time
	SeenAt  time.Time // first reading that showed it; zero until then
	Copies  int       // how many times the last full check found it
}

// Ledger is what the system acknowledged to the load's users, kept by the
// users' side: a fact enters when its request succeeded, and is then
// looked for where it must show up, the person's pathway timeline. It
// gives the freshness of each fact and, after a full check, whether each
// is there exactly once. Safe for concurrent use.
type Ledger struct {
	mu    sync.Mutex
	facts map[Key]*Fact
	// unseen are acknowledged facts not yet seen, by person, so that a
	// reading of one timeline costs only that person's facts.
	unseen map[string]map[Key]*Fact
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger {
	return &Ledger{facts: map[Key]*Fact{}, unseen: map[string]map[Key]*Fact{}}
}

// Ack records that k was acknowledged at at. Acknowledging a fact again
// (a retried request) keeps the first acknowledgement.
func (l *Ledger) Ack(k Key, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.facts[k]; ok {
		return
	}
	f := &Fact{Key: k, AckedAt: at}
	l.facts[k] = f
	if l.unseen[k.Person] == nil {
		l.unseen[k.Person] = map[Key]*Fact{}
	}
	l.unseen[k.Person][k] = f
}

// Observe records a reading of person's timeline at at, holding entries.
// An entry with an empty Ref (the timeline's wire form names the lesson of
// an attendance but not the placement or step of other facts) matches the
// person's earliest unseen fact of its kind. It returns how many facts
// were seen for the first time.
func (l *Ledger) Observe(person string, entries []Key, at time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	pending := l.unseen[person]
	n := 0
	for _, e := range entries {
		if len(pending) == 0 {
			break
		}
		e.Person = person
		f := pending[e]
		if f == nil && e.Ref == "" {
			for k, c := range pending {
				if k.Kind == e.Kind && (f == nil || c.AckedAt.Before(f.AckedAt)) {
					f = c
				}
			}
		}
		if f == nil {
			continue
		}
		f.SeenAt = at
		delete(pending, f.Key)
		n++
	}
	if len(pending) == 0 {
		delete(l.unseen, person)
	}
	return n
}

// Seen reports whether k was acknowledged and seen since.
func (l *Ledger) Seen(k Key) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.facts[k]
	return f != nil && !f.SeenAt.IsZero()
}

// Fact returns what became of k, if it was acknowledged.
func (l *Ledger) Fact(k Key) (Fact, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.facts[k]
	if f == nil {
		return Fact{}, false
	}
	return *f, true
}

// Count returns how many facts of kind were acknowledged and how many of
// them were seen; kind "" counts them all.
func (l *Ledger) Count(kind string) (acked, seen int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, f := range l.facts {
		if kind != "" && k.Kind != kind {
			continue
		}
		acked++
		if !f.SeenAt.IsZero() {
			seen++
		}
	}
	return acked, seen
}

// Verdict is a full check of the ledger against what the pathway holds.
type Verdict struct {
	Acked       int
	ExactlyOnce int
	Missing     []Fact // acknowledged, not there
	Duplicated  []Fact // there more than once
}

// Check counts every acknowledged fact in all, the keys of every entry of
// every timeline (with their Ref, as the store holds them). What the
// readings saw, and when, stays as it was.
func (l *Ledger) Check(all []Key) Verdict {
	copies := make(map[Key]int, len(all))
	for _, k := range all {
		copies[k]++
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	v := Verdict{Acked: len(l.facts)}
	for k, f := range l.facts {
		f.Copies = copies[k]
		switch {
		case f.Copies == 0:
			v.Missing = append(v.Missing, *f)
			continue
		case f.Copies > 1:
			v.Duplicated = append(v.Duplicated, *f)
		default:
			v.ExactlyOnce++
		}
	}
	byKey := func(a, b Fact) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Person, b.Person), cmp.Compare(a.Ref, b.Ref))
	}
	slices.SortFunc(v.Missing, byKey)
	slices.SortFunc(v.Duplicated, byKey)
	return v
}
