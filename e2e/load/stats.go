package load

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// Percentile returns the p-th percentile (0 < p <= 100) of sorted by the
// nearest-rank method: the smallest sample with at least p% of the samples
// at or below it. Zero for no samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// StatusError is a reply other than the one the user expected.
type StatusError struct {
	Action string // or the request's method and path when it is no user action
	Code   int
	Detail string // the start of the answer, which names what was wrong
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: status %d: %s", e.Action, e.Code, e.Detail)
}

// Recorder keeps the latency of every user action and per-second counts of
// what was done, for the report. Safe for concurrent use.
type Recorder struct {
	start time.Time

	mu      sync.Mutex
	actions map[string]*actionLog
	series  map[string][]int // per second since start
}

type actionLog struct {
	latencies []time.Duration // of successes
	failures  map[string]int  // by reason: "status 503", "timeout", ...
}

// NewRecorder starts counting seconds from start.
func NewRecorder(start time.Time) *Recorder {
	return &Recorder{start: start, actions: map[string]*actionLog{}, series: map[string][]int{}}
}

// Record notes one action that took took and ended at at with err.
// Successes count in the action's per-second series.
func (r *Recorder) Record(action string, at time.Time, took time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.actions[action]
	if a == nil {
		a = &actionLog{failures: map[string]int{}}
		r.actions[action] = a
	}
	if err != nil {
		a.failures[reason(err)]++
		return
	}
	a.latencies = append(a.latencies, took)
	r.add(action, at, 1)
}

// Add counts n of name (marks, say) at at.
func (r *Recorder) Add(name string, at time.Time, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.add(name, at, n)
}

func (r *Recorder) add(name string, at time.Time, n int) {
	sec := int(at.Sub(r.start) / time.Second)
	if sec < 0 {
		return
	}
	s := r.series[name]
	for len(s) <= sec {
		s = append(s, 0)
	}
	s[sec] += n
	r.series[name] = s
}

func reason(err error) string {
	var (
		se      *StatusError
		timeout interface{ Timeout() bool }
	)
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("status %d", se.Code)
	case errors.As(err, &timeout) && timeout.Timeout():
		return "timeout"
	}
	return "transport error"
}

// ActionStats sums up one action.
type ActionStats struct {
	Name          string
	OK            int
	Failed        map[string]int
	P50, P95, P99 time.Duration
	Max           time.Duration
}

// Actions sums up every action, by name.
func (r *Recorder) Actions() []ActionStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []ActionStats
	for name, a := range r.actions {
		l := slices.Clone(a.latencies)
		slices.Sort(l)
		s := ActionStats{Name: name, OK: len(l), Failed: map[string]int{}, P50: Percentile(l, 50), P95: Percentile(l, 95), P99: Percentile(l, 99)}
		if len(l) > 0 {
			s.Max = l[len(l)-1]
		}
		for k, v := range a.failures {
			s.Failed[k] = v
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b ActionStats) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// Series returns the per-second counts of name, from the start.
func (r *Recorder) Series(name string) []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.series[name])
}

// Total returns how many of name were counted between from and to seconds
// after the start.
func (r *Recorder) Total(name string, from, to int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for i, v := range r.series[name] {
		if i >= from && i < to {
			n += v
		}
	}
	return n
}
