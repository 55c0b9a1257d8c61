package chaos

import (
	"fmt"
	"maps"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/percorsi/percorsi/services/jobs"
	"github.com/percorsi/percorsi/services/pathway"
)

// leaseTTL is pkg/outbox's default RelayConfig.LeaseTTL, which every
// service keeps.
const leaseTTL = 10 * time.Second

// leaseSection says, per service, which replicas published and whether two
// ever did at once.
func (r *report) leaseSection(p func(string, ...any)) {
	p("## Relay lease")
	p("")
	p("Of a service's replicas, the one whose relay holds the lease (pkg/outbox/lease.go, TTL %s) publishes; the others stand by. "+
		"Each replica's /metrics was read every second: *published* is the events each replica's relay published over the run (percorsi_outbox_published_total, "+
		"added up across its restarts); *at once* counts the seconds in which two replicas' counts rose together, that is two relays published within the same second "+
		"(a handover inside that second counts too: the report gives their times and faults). "+
		"A holder held up inside a pass past the TTL (paused, or waiting on a broker that is paused or cut, up to the relay's 30 s call bound) "+
		"loses the lease to a standby but finishes the pass it began, as pkg/outbox/lease.go says: the two then publish in the same second, "+
		"and what both published is counted below as published again.", leaseTTL)
	p("")
	p("| service | published, by replica | seconds with two publishing |")
	p("| ------- | --------------------- | --------------------------- |")
	for _, pub := range r.relays.publishing() {
		var by []string
		var total float64
		for _, id := range slices.Sorted(maps.Keys(pub.by)) {
			by = append(by, fmt.Sprintf("%s %.0f", id, pub.by[id]))
			total += pub.by[id]
		}
		if total == 0 {
			continue
		}
		both := "none"
		if len(pub.both) > 0 {
			var at []string
			for _, t := range pub.both {
				at = append(at, fmt.Sprintf("+%s (%s)", secs(t.Sub(r.steadyFrom)), faultAt(r.faults, t)))
			}
			both = fmt.Sprintf("%d: %s after the load began", len(pub.both), strings.Join(at, ", "))
		}
		p("| %s | %s | %s |", pub.service, strings.Join(by, ", "), both)
	}
	p("")
	p("### Events published more than once")
	p("")
	p("Every record of the services' topics read back at the end, counted by event id (the header event-id the relay sets); the replay's copies, marked, apart. " +
		"A relay publishes an event again when it published but did not clear it: killed or paused between the two, or its clear failed (store away or cut). " +
		"The consumers apply each event id once, as the ledger shows.")
	p("")
	p("| topic | records | events | published again by a relay | most copies of one event | replayed copies |")
	p("| ----- | ------- | ------ | -------------------------- | ------------------------ | --------------- |")
	for _, c := range r.copies {
		p("| %s | %d | %d | %d | %d | %d |", c.topic, c.records, c.events, c.duplicates, c.most, c.replayed)
	}
	p("")
}

// report is what the run saw, written as reports/chaos.md.
type report struct {
	cfg                                              config
	w                                                *world
	faults                                           []*fault
	outcomes                                         []outcome
	breakers                                         []transition
	backlog                                          []sample
	verdict                                          verdict
	steadyFrom, steadyTo, loadEnd, drained, caughtUp time.Time
	crashes                                          map[string][]string
	took                                             time.Duration
	loadAvg                                          [2]string // at the start and at the end
	relays                                           *relayWatch
	lag                                              *lagWatch
	copies                                           []copies
}

// tally is what users saw of one operation in one window.
type tally struct {
	calls, ok, degraded, unavailable, noRetryAfter int
	other                                          map[int]int    // status -> calls
	noAnswer                                       map[string]int // why -> calls
	maxFailed, maxAll                              time.Duration
}

func (t *tally) failed() int { return t.calls - t.ok }

func (t *tally) add(o outcome) {
	t.calls++
	t.maxAll = max(t.maxAll, o.latency)
	switch {
	case o.ok():
		t.ok++
		return
	case o.degraded:
		t.degraded++
	case o.status == http.StatusServiceUnavailable:
		t.unavailable++
		if !o.retryAfter {
			t.noRetryAfter++
		}
	case o.status != 0:
		t.other[o.status]++
	default:
		t.noAnswer[o.fault]++
	}
	t.maxFailed = max(t.maxFailed, o.latency)
}

func (t *tally) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d: %d 2xx", t.calls, t.ok)
	if t.degraded > 0 {
		fmt.Fprintf(&b, ", %d 200 with a part unavailable", t.degraded)
	}
	if t.unavailable > 0 {
		fmt.Fprintf(&b, ", %d 503", t.unavailable)
		if t.noRetryAfter > 0 {
			fmt.Fprintf(&b, " (%d without Retry-After)", t.noRetryAfter)
		}
	}
	for _, s := range slices.Sorted(maps.Keys(t.other)) {
		fmt.Fprintf(&b, ", %d %d", t.other[s], s)
	}
	for _, f := range slices.Sorted(maps.Keys(t.noAnswer)) {
		fmt.Fprintf(&b, ", %d no answer (%s)", t.noAnswer[f], f)
	}
	return b.String()
}

// window tallies the calls that started in [from, to), by operation.
func (r *report) window(from, to time.Time) map[string]*tally {
	out := map[string]*tally{}
	for _, o := range r.outcomes {
		if o.start.Before(from) || !o.start.Before(to) {
			continue
		}
		t := out[o.op]
		if t == nil {
			t = &tally{other: map[int]int{}, noAnswer: map[string]int{}}
			out[o.op] = t
		}
		t.add(o)
	}
	return out
}

// recovered is how long after healed every operation that failed during
// [from, healed) first succeeded again; ok is false if one never did.
func (r *report) recovered(from, healed time.Time) (d time.Duration, anyFailed, ok bool) {
	failed := map[string]bool{}
	for _, o := range r.outcomes {
		if !o.start.Before(from) && o.start.Before(healed) && !o.ok() {
			failed[o.op] = true
		}
	}
	if len(failed) == 0 {
		return 0, false, true
	}
	for op := range failed {
		first := time.Time{}
		for _, o := range r.outcomes {
			if o.op == op && o.ok() && !o.start.Before(healed) && (first.IsZero() || o.start.Before(first)) {
				first = o.start
			}
		}
		if first.IsZero() {
			if !slices.ContainsFunc(r.outcomes, func(o outcome) bool { return o.op == op && !o.start.Before(healed) }) {
				continue // the user had nothing left to do: no later call
			}
			return 0, true, false
		}
		d = max(d, first.Sub(healed))
	}
	return d, true, true
}

// baseline is the most documents with pending events seen under steady
// load before the first fault: under load the relays are never idle.
func (r *report) baseline() int64 {
	var b int64
	for _, s := range r.backlog {
		if !s.at.Before(r.steadyFrom) && s.at.Before(r.steadyTo) {
			b = max(b, s.pending)
		}
	}
	return b
}

// backlogIn is the peak of pending documents in [from, to) and how long
// after healed they were first back to the baseline, whenever that was.
func (r *report) backlogIn(from, to, healed time.Time) (peak int64, backAfter time.Duration, back bool) {
	base := r.baseline()
	for _, s := range r.backlog {
		if !s.at.Before(from) && s.at.Before(to) {
			peak = max(peak, s.pending)
		}
		if !back && !s.at.Before(healed) && s.pending <= base {
			backAfter, back = s.at.Sub(healed), true
		}
	}
	return peak, backAfter, back
}

var stateNames = []string{"closed", "half-open", "open"}

func (r *report) breakersIn(from, to time.Time) string {
	var parts []string
	for _, tr := range r.breakers {
		if tr.at.Before(from) || !tr.at.Before(to) {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s +%s", strings.TrimPrefix(tr.breaker, "web_"), stateNames[tr.state], secs(tr.at.Sub(from))))
	}
	if len(parts) == 0 {
		return "stayed closed"
	}
	return strings.Join(parts, ", ")
}

// opened says whether breaker opened between from and to.
func (r *report) opened(breaker string, from, to time.Time) bool {
	return slices.ContainsFunc(r.breakers, func(tr transition) bool {
		return strings.HasPrefix(tr.breaker, breaker+"@") && tr.state == breakerOpen && !tr.at.Before(from) && tr.at.Before(to)
	})
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

// hangs are calls the client gave up on after callTimeout.
func (r *report) hangs() []outcome {
	var out []outcome
	for _, o := range r.outcomes {
		if o.status == 0 && o.fault == "timeout" {
			out = append(out, o)
		}
	}
	return out
}

// slowFailures are, by operation, the slowest failed answer when it came
// after storeBound.
func (r *report) slowFailures() map[string]time.Duration {
	out := map[string]time.Duration{}
	for _, o := range r.outcomes {
		if !o.ok() && o.status != 0 && o.latency > storeBound+time.Second {
			out[o.op] = max(out[o.op], o.latency)
		}
	}
	return out
}

func (r *report) withoutRetryAfter() map[string]int {
	out := map[string]int{}
	for _, o := range r.outcomes {
		if o.status == http.StatusServiceUnavailable && !o.retryAfter {
			out[o.op]++
		}
	}
	return out
}

// problems are what fails the run.
func (r *report) problems() []string {
	var p []string
	v := r.verdict
	for _, m := range v.missing {
		p = append(p, "lost: "+m)
	}
	for _, d := range v.duplicated {
		p = append(p, "duplicated: "+d)
	}
	for _, w := range v.wrong {
		p = append(p, "wrong: "+w)
	}
	if h := r.hangs(); len(h) > 0 {
		p = append(p, fmt.Sprintf("%d calls got no answer within %s", len(h), callTimeout))
	}
	for op, n := range r.withoutRetryAfter() {
		p = append(p, fmt.Sprintf("%s: %d answers 503 without Retry-After", op, n))
	}
	if r.drained.IsZero() {
		p = append(p, "the relays' backlogs did not drain")
	}
	if r.caughtUp.IsZero() {
		p = append(p, "the pathways did not catch up with the ledger")
	}
	for _, f := range r.faults {
		for _, q := range f.problems {
			p = append(p, f.name+": "+q)
		}
		if f.lease != "" {
			if d, _ := r.relays.handover(f.lease, f.target, f.start); d == 0 {
				p = append(p, fmt.Sprintf("%s: no other replica of %s took the relay lease over", f.name, f.lease))
			}
		}
	}
	for n, c := range r.crashes {
		p = append(p, fmt.Sprintf("%s exited on its own %d times: %s", n, len(c), strings.Join(c, "; ")))
	}
	for _, f := range r.faults {
		if f.opens != "" && !r.opened(f.opens, f.start, f.next) {
			p = append(p, fmt.Sprintf("%s: web's breaker %s did not open", f.name, f.opens))
		}
	}
	opened, closed := r.breakerCounts()
	for b, n := range opened {
		if closed[b] < n {
			p = append(p, fmt.Sprintf("web's breaker %s opened %d times and closed again %d times", b, n, closed[b]))
		}
	}
	return p
}

// breakerCounts counts, by breaker, the openings and closings web's
// /metrics showed.
func (r *report) breakerCounts() (opened, closed map[string]int) {
	opened, closed = map[string]int{}, map[string]int{}
	for _, tr := range r.breakers {
		switch tr.state {
		case 2:
			opened[tr.breaker]++
		case 0:
			closed[tr.breaker]++
		}
	}
	return opened, closed
}

func (r *report) markdown() string {
	var b strings.Builder
	v := r.verdict
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	mode := "full"
	if r.cfg.short {
		mode = "short (CHAOS_SHORT=1)"
	}
	p("# Chaos: faults under load")
	p("")
	p("Written by `make chaos` (e2e/chaos) on %s, %s run, seed %d (`CHAOS_SEED=%d make chaos` repeats the same random moments), %s in all.",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), mode, r.cfg.seed, r.cfg.seed, r.took.Round(time.Second))
	p("Machine: %s/%s, %d CPUs, %s, shared with other jobs running at the same time (load average %s at the start, %s at the end), so latencies are pessimistic.",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), r.loadAvg[0], r.loadAvg[1])
	p("")
	p("Every service runs as %d replicas, each its own process (its real binary), on the embedded stack: kfake as the broker, FerretDB v1 as the store, "+
		"each a process of its own too, so that they can be killed, paused and started again on their data. "+
		"A balancer per service (in this process) sends each call to the next ready replica, as a Kubernetes Service with readiness probes would "+
		"(a replica whose /healthz fails twice in a row, 500 ms apart, is taken out; a refused connection is tried on the next replica; "+
		"a call cut after it was sent is answered 502, one unanswered after %s 504, and with no replica 503 with Retry-After); "+
		"the users and web's replicas call the balancers. "+
		"A toxiproxy (in this process) stands in front of the broker, which advertises the proxy's address so that every broker connection passes through it, "+
		"and one in front of the store per replica. Users work through the public HTTP APIs all along: %d teachers record the registers of %d classes of %d people "+
		"(one every %s each, a failed one resubmitted a second later), an employer confirms each person's placement through its single-use link, "+
		"a housing worker starts each person's step in a flat, and through web two case workers per web replica open pathway pages and two teachers per web replica the day's lessons. "+
		"Each call's outcome and latency are recorded; a 2xx goes into the ledger. "+
		"The APIs answer a missing dependency with 503 and Retry-After; web's pages answer 200 with the page's frame and a notice that a part is unavailable, "+
		"counted here as a failure the user saw.",
		r.cfg.replicas, tryTimeout, r.cfg.teachers, r.w.classes, r.w.people, r.cfg.pace)
	p("")
	p("## Verdict")
	p("")
	lost := "nothing lost"
	if !v.clean() {
		lost = fmt.Sprintf("**%d missing, %d duplicated, %d wrong**", len(v.missing), len(v.duplicated), len(v.wrong))
	}
	p("- Acknowledged: %d registers (%d marks), %d placement confirmations, %d housing steps. On the pathways, read through pathway's HTTP API as the case worker: %s; each acknowledged mark, confirmation and step is there exactly once, as acknowledged.",
		v.registers, v.marks, v.confirmations, v.steps, lost)
	if v.unsure > 0 {
		p("- %d confirmations got no answer and their retry a 409 (the single-use link was spent): %d of them are on the pathway, as the employer's first try was in fact kept.", v.unsure, v.unsureKept)
	}
	if len(v.extra) > 0 {
		// "ps-01-02: mark les-01-003 (1)": count the pathways per fact.
		pathways := map[string]int{}
		for _, e := range v.extra {
			_, what, _ := strings.Cut(e, ": ")
			what, _, _ = strings.Cut(what, " (")
			pathways[what]++
		}
		var parts []string
		for _, what := range slices.Sorted(maps.Keys(pathways)) {
			parts = append(parts, fmt.Sprintf("%s on %d pathways", what, pathways[what]))
		}
		p("- On the pathways without an acknowledgement (done, but the user's call failed or was cut, and the user moved on): %s.", strings.Join(parts, "; "))
	}
	switch {
	case r.drained.IsZero():
		p("- **The relays' backlogs did not drain** within 3 minutes of the load stopping.")
	case r.caughtUp.IsZero():
		p("- Relay backlogs (events pending in every outbox) drained %s after the load stopped; **the pathways did not catch up** with the ledger.", secs(r.drained.Sub(r.loadEnd)))
	default:
		p("- Relay backlogs (events pending in every outbox) drained %s after the load stopped; the pathways held the whole ledger %s after.", secs(r.drained.Sub(r.loadEnd)), secs(r.caughtUp.Sub(r.loadEnd)))
	}
	p("- Hangs (no answer within the client's %s): %d.", callTimeout, len(r.hangs()))
	slowOps := r.slowFailures()
	for _, op := range slices.Sorted(maps.Keys(slowOps)) {
		p("- %s: failures answered after more than %s, the store's bound per operation (a request makes several), the slowest in %s.", op, storeBound+time.Second, secs(slowOps[op]))
	}
	nra := r.withoutRetryAfter()
	if len(nra) == 0 {
		p("- Every 503 carried Retry-After.")
	} else {
		for _, op := range slices.Sorted(maps.Keys(nra)) {
			p("- **%s: %d answers 503 without Retry-After.**", op, nra[op])
		}
	}
	opened, closed := r.breakerCounts()
	if len(opened) == 0 {
		p("- **web's breakers never opened.**")
	}
	for _, b := range slices.Sorted(maps.Keys(opened)) {
		if closed[b] < opened[b] {
			p("- **web's breaker %s opened %d times and closed again %d times.**", b, opened[b], closed[b])
			continue
		}
		p("- web's breaker %s opened %d times and closed again %d times.", b, opened[b], closed[b])
	}
	if len(r.crashes) == 0 {
		p("- No service exited on its own.")
	} else {
		for _, n := range slices.Sorted(maps.Keys(r.crashes)) {
			p("- **%s exited on its own %d times** (restarted a second later): %s.", n, len(r.crashes[n]), strings.Join(r.crashes[n], "; "))
		}
	}
	p("")
	p("## Faults")
	p("")
	p("Each fault is held for the time shown, then healed; its window runs until the next fault starts, so it includes the recovery under load. "+
		"*Recovered* is how long after the heal every operation that had failed got a 2xx again. *Backlog* is the peak of documents with events pending in the outboxes "+
		"(sampled every second) and how long after the heal it was back to its level under steady load before the first fault (%d). *Breakers* are web's, from its /metrics, relative to the fault's start.", r.baseline())
	p("")
	p("*Lag* is the records of their topics the consumer groups of pathway and jobs had yet to commit, sampled every 2 seconds: its peak in the window.")
	p("")
	p("| # | fault | held | calls: 2xx / failed | max latency of a failed call | recovered | backlog peak, back after | lag peak: pathway, jobs | breakers |")
	p("| - | ----- | ---- | ------------------- | ---------------------------- | --------- | ------------------------ | ----------------------- | -------- |")
	for i, f := range r.faults {
		ts := r.window(f.start, f.next)
		var calls, ok int
		var maxFailed time.Duration
		for _, t := range ts {
			calls, ok = calls+t.calls, ok+t.ok
			maxFailed = max(maxFailed, t.maxFailed)
		}
		rec := "no user saw an error"
		if d, anyFailed, fine := r.recovered(f.start, f.healed); anyFailed {
			rec = secs(d)
			if !fine {
				rec = "**never**"
			}
		}
		peak, after, drained := r.backlogIn(f.start, f.next, f.healed)
		bl := fmt.Sprintf("%d, %s", peak, secs(after))
		if !drained {
			bl = fmt.Sprintf("%d, not before the end", peak)
		}
		held := secs(f.healed.Sub(f.start))
		if f.restart > 0 {
			held += fmt.Sprintf(" (restart to /healthz %s)", secs(f.restart))
		}
		lag := fmt.Sprintf("%d, %d", r.lag.peak(pathway.ConsumerGroup, f.start, f.next), r.lag.peak(jobs.ConsumerGroup, f.start, f.next))
		p("| %d | %s | %s | %d / %d | %s | %s | %s | %s | %s |", i+1, f.name, held, ok, calls-ok, secs(maxFailed), rec, bl, lag, r.breakersIn(f.start, f.next))
	}
	p("")
	p("### What each fault struck and checked")
	p("")
	p("Beside the ledger, checked at the end for every fault at once (nothing acknowledged lost, nothing applied twice):")
	p("")
	for i, f := range r.faults {
		var what []string
		if f.target != "" {
			what = append(what, "struck "+f.target+", found by its /metrics")
		}
		if f.lease != "" {
			if d, who := r.relays.handover(f.lease, f.target, f.start); d > 0 {
				what = append(what, fmt.Sprintf("%s took the relay lease over %s after", who, secs(d)))
			} else {
				what = append(what, "**no other replica took the relay lease over**")
			}
		}
		what = append(what, f.notes...)
		for _, q := range f.problems {
			what = append(what, "**"+q+"**")
		}
		if len(what) == 0 {
			what = append(what, "the ledger")
		}
		p("%d. %s: %s.", i+1, f.name, strings.Join(what, "; "))
	}
	p("")
	r.leaseSection(p)
	p("")
	p("### What each user saw")
	p("")
	p("Calls that started in each window, by operation: how many, and their answers (*no answer*: the connection was refused, reset or timed out). Max is the slowest call of any outcome.")
	p("")
	windows := []struct {
		name     string
		from, to time.Time
	}{{"steady load before the first fault", r.steadyFrom, r.steadyTo}}
	for i, f := range r.faults {
		windows = append(windows, struct {
			name     string
			from, to time.Time
		}{fmt.Sprintf("%d. %s", i+1, f.name), f.start, f.next})
	}
	for _, win := range windows {
		p("**%s** (%s)", win.name, secs(win.to.Sub(win.from)))
		p("")
		p("| operation | calls | max |")
		p("| --------- | ----- | --- |")
		ts := r.window(win.from, win.to)
		for _, op := range ops {
			if t := ts[op]; t != nil {
				p("| %s | %s | %s |", op, t, secs(t.maxAll))
			}
		}
		p("")
	}
	return b.String()
}
