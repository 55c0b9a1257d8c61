package load

import (
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Report is everything one run measured.
type Report struct {
	At       time.Time
	Command  string
	Pop      *Population
	Seeded   *Seeded
	Parts    []Part
	Shared   bool // the parts share one process
	Limits   Limits
	Run      *Run
	Usage    []Usage // over the load window, each part then the machine
	Idle     []Usage // the same before the load, with no user, for IdleFor
	IdleFor  time.Duration
	Samples  []Sample // the whole run's, for the chart
	Chart    string   // the chart's file name, beside the Markdown
	Warnings []string
	// Unsettled says the load began with the seeding's events still in
	// flight.
	Unsettled bool
}

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func mb(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.3g", a/b)
}

// Markdown writes the report.
func (r *Report) Markdown(w io.Writer) error {
	var b strings.Builder
	p, run := r.Pop, r.Run
	window := run.End.Sub(run.Start).Seconds()
	registers := run.Recorder.Total(actRegister, 0, 1<<30)
	marks := run.Recorder.Total(seriesMarks, 0, 1<<30)
	requests := 0
	for _, a := range run.Recorder.Actions() {
		requests += a.OK
	}
	v := run.Verdict
	machine := r.Usage[len(r.Usage)-1]
	ours := 0.0
	for _, u := range r.Usage[:len(r.Usage)-1] {
		ours += u.Cores
	}

	fmt.Fprintf(&b, "# Percorsi under load: a national school year on the embedded stack\n\n")
	fmt.Fprintf(&b, "Measured %s on this machine (%d CPU cores, %s, %s/%s) by `%s` (the last step of `make bench`).\n",
		r.At.UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, r.Command)
	fmt.Fprintf(&b, "The load ran for %.0f s after seeding; the machine's CPUs were busy %.2f cores on average meanwhile, %.2f of them by Percorsi's processes and the driver, **%.2f by other work on the machine**",
		window, machine.Cores, ours, max(0, machine.Cores-ours))
	if machine.Cores-ours > 0.2 {
		b.WriteString(" (it was shared: the figures below are lower than on a quiet machine)")
	}
	b.WriteString(".\n\n")
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "> **Note:** %s\n\n", w)
	}
	fmt.Fprintf(&b, "![throughput, CPU and memory over the run](%s)\n\n", r.Chart)

	b.WriteString("## In short\n\n")
	b.WriteString("| figure | value | limit of the part on this machine, same run | ratio |\n|---|---|---|---|\n")
	fmt.Fprintf(&b, "| registers acknowledged (HTTP -> courses store and its outbox) | %.2f /s | | |\n", float64(registers)/window)
	fmt.Fprintf(&b, "| attendance marks acknowledged | %.1f /s | broker produce %.0f msgs/s | %s |\n", float64(marks)/window, r.Limits.ProduceMsgsPerSec, ratio(float64(marks)/window, r.Limits.ProduceMsgsPerSec))
	fmt.Fprintf(&b, "| events published by the services' relays (outboxes -> Kafka) | %.1f /s | broker produce %.0f msgs/s | %s |\n", run.Published/window, r.Limits.ProduceMsgsPerSec, ratio(run.Published/window, r.Limits.ProduceMsgsPerSec))
	fmt.Fprintf(&b, "| events applied to the timelines by pathway (Kafka -> pathway store) | %.1f /s | store InsertMany %.0f docs/s | %s |\n", run.Applied/window, r.Limits.InsertManyDocsPerSec, ratio(run.Applied/window, r.Limits.InsertManyDocsPerSec))
	fmt.Fprintf(&b, "| HTTP requests answered, every action | %.1f /s | bare net/http %.0f req/s (%d clients) | %s |\n", float64(requests)/window, r.Limits.HTTPReqPerSec, r.Limits.HTTPClients, ratio(float64(requests)/window, r.Limits.HTTPReqPerSec))
	for _, k := range freshnessKinds {
		acked, _ := run.Ledger.Count(k.kind)
		fmt.Fprintf(&b, "| freshness: %s -> the person's timeline (pathway API) shows it | %s | | |\n", k.what, freshCell(run.Probe.freshness(k.kind), acked))
	}
	fmt.Fprintf(&b, "| acknowledged facts not in the pathway yet when the load stopped | %d of %d, %.0f s after | | |\n", run.Behind, v.Acked, run.BehindAt.Sub(run.End).Seconds())
	drain := "never, within the drain allowed"
	if !run.Drained.IsZero() {
		drain = fmt.Sprintf("%.0f s after the load stopped", run.Drained.Sub(run.End).Seconds())
	}
	fmt.Fprintf(&b, "| every acknowledged fact in the pathway | %s | | |\n", drain)
	fmt.Fprintf(&b, "| acknowledged facts in the pathway exactly once | %d of %d (%d missing, %d duplicated) | | |\n\n", v.ExactlyOnce, v.Acked, len(v.Missing), len(v.Duplicated))

	b.WriteString("## The population\n\n")
	housed := len(p.Housed)
	fmt.Fprintf(&b, "%d people in pathways followed by %d organisations (one per territory: %s); %d CPIA classes (Italian L2, and digital skills) of about %d people, with a school year of %d lessons that began %s; %d lessons already held and not yet locked are the teachers' registers to record; %d job seekers with their profiles, %d employers and %d vacancies; %d accommodations with %d places, %d people already in a housing step and %d waiting for one.\n\n",
		len(p.Persons), p.Organisations, territoryList(p.Organisations), len(p.Classes), len(p.Persons)/len(p.Classes), len(p.Lessons), p.YearStart.Format("Monday 2 January 2006"),
		len(p.Registerable), len(p.Profiles), p.Organisations*p.employersPerOrg(), p.Organisations*p.vacanciesPerOrg(),
		p.Organisations*p.accommodationsPerOrg(), p.Organisations*p.accommodationsPerOrg()*accommodationCapacity, housed, len(p.ToHouse))
	b.WriteString("The run is set in the first week of the school year: the year's lessons are all scheduled, and the registers, placements and steps are those the users make during the run. ")
	b.WriteString("What is large was seeded in bulk straight into each service's store in the shape its store package writes it (the store packages' `Load` functions), as a migration would be")
	if !r.Shared {
		b.WriteString(", before the services started")
	}
	b.WriteString(": InsertMany writes some ten times the documents per second of one request each, and the seeding is not what is measured")
	b.WriteString("; what is small went through the HTTP APIs as users would make it, so its events flowed like any other.")
	if r.Unsettled {
		b.WriteString(" The load was to begin once the events of seeding had reached their consumers; they had not after the wait allowed, and it began without (see the note above): the facts acknowledged during the load queued behind them.\n\n")
	} else {
		b.WriteString(" The load began once the events of seeding had reached their consumers.\n\n")
	}
	b.WriteString("| seeded | count | how | took |\n|---|---|---|---|\n")
	for _, s := range r.Seeded.Steps {
		fmt.Fprintf(&b, "| %s | %d | %s | %s |\n", s.What, s.Count, s.How, s.Took.Round(100*time.Millisecond))
	}

	b.WriteString("\n## The users\n\n")
	fmt.Fprintf(&b, "At once: %d teachers, %d counsellors, %d employer(s), %d housing worker(s), %d case workers opening pages, and %d case workers reading the timelines of facts just acknowledged (the freshness probe, below). Each acts again as soon as answered: a morning peak, not an average day.",
		run.Teachers, run.Counsellors, run.Employers, run.HousingWorkers, run.CaseWorkers, run.Watchers)
	if len(run.OutOfWork) > 0 {
		fmt.Fprintf(&b, " Ran out of work before the end: %s.", strings.Join(run.OutOfWork, ", "))
	}
	if run.PagesSkipped != "" {
		fmt.Fprintf(&b, " Case workers did not open web pages: %s.", run.PagesSkipped)
	}
	b.WriteString("\n\n## Latency of each user action\n\n")
	read := r.Limits.IDRead[len(r.Limits.IDRead)-1]
	fmt.Fprintf(&b, "Every request, from sending it to reading the whole answer. The last column is the action's p50 as a multiple of the store's own single-document `_id` read in a collection of %d documents (p50 %s), the size of the school year's lessons, the largest collection a request reads (a register reads its lesson there).\n\n", read.Size, ms(read.P50))
	b.WriteString("| action | done | failed | p50 | p95 | p99 | max | p50 ÷ `_id` read |\n|---|---|---|---|---|---|---|---|\n")
	for _, a := range run.Recorder.Actions() {
		failed := "0"
		if len(a.Failed) > 0 {
			var parts []string
			for _, k := range slices.Sorted(maps.Keys(a.Failed)) {
				parts = append(parts, fmt.Sprintf("%d (%s)", a.Failed[k], k))
			}
			failed = strings.Join(parts, ", ")
		}
		times := "–"
		if a.OK > 0 {
			times = ratio(float64(a.P50), float64(read.P50))
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s |\n", a.Name, a.OK, failed, ms(a.P50), ms(a.P95), ms(a.P99), ms(a.Max), times)
	}

	b.WriteString("\n## Freshness\n\nFrom the user's acknowledgement to the person's pathway timeline (pathway's HTTP API) showing the fact:\n\n")
	b.WriteString("| fact | followed | seen | p50 | p95 | p99 | max seen | not seen by the end | each figure within (p50, max) |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, k := range freshnessKinds {
		f := run.Probe.freshness(k.kind)
		mx, unseen := time.Duration(0), "0"
		if len(f.Seen) > 0 {
			mx = f.Seen[len(f.Seen)-1]
		}
		if f.Unseen > 0 {
			unseen = fmt.Sprintf("%d (older than %s)", f.Unseen, ms(f.UnseenAge))
		}
		within := "–"
		if n := len(f.Uncertainty); n > 0 {
			within = ms(Percentile(f.Uncertainty, 50)) + ", " + ms(f.Uncertainty[n-1])
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s | %s | %s | %s | %s |\n", k.what, f.Followed, len(f.Seen), freshPercentile(f, 50), freshPercentile(f, 95), freshPercentile(f, 99), ms(mx), unseen, within)
	}
	fmt.Fprintf(&b, "\nThe facts followed are a sample spread over the load (a register's mark for one person of its class): at most one of each kind every %s, and at most %d of a kind followed at once, one per watcher, so that each is read often and none waits for a free watcher. "+
		"The watchers take the kinds in turn and, within a kind, the followed fact not yet seen whose timeline was read least recently, pausing %s between readings. "+
		"A figure is the time to the first reading that showed the fact; the last column says how long before that the last reading that did not show it was (or the acknowledgement, if none): the fact arrived within that. "+
		"The watchers keep reading after the load until every followed fact is seen or the drain allowed runs out; a fact not seen by then counts as slower than every fact seen, so a percentile that falls on one reads \"above\" the age of the youngest such fact.\n",
		run.Probe.every, run.Probe.watchers, pollEvery)

	b.WriteString("\n## Exactly once\n\n")
	fmt.Fprintf(&b, "After the load, the driver's ledger of what users were told had succeeded was checked against every timeline entry pathway stores: %d acknowledged facts (", v.Acked)
	var kinds []string
	for _, k := range []string{Attendance, PlacementConfirmed, HousingStepStarted} {
		n, _ := run.Ledger.Count(k)
		kinds = append(kinds, fmt.Sprintf("%d %s", n, k))
	}
	fmt.Fprintf(&b, "%s), %d there exactly once, %d missing, %d there more than once.\n", strings.Join(kinds, ", "), v.ExactlyOnce, len(v.Missing), len(v.Duplicated))
	for i, f := range append(v.Missing, v.Duplicated...) {
		if i == 10 {
			b.WriteString("- …\n")
			break
		}
		fmt.Fprintf(&b, "- %s %s %s: %d copies\n", f.Kind, f.Person, f.Ref, f.Copies)
	}

	b.WriteString("\n## Memory and CPU\n\n")
	if r.Shared {
		b.WriteString("Every service, the stack and the driver ran in one process here, so these figures are the whole process's: run the command without `-in-process` to measure each service apart.\n\n")
	} else {
		b.WriteString("Each service ran its own command (`services/<name>/cmd/<name>`) in a process of its own, as deployed, and the embedded Kafka and FerretDB in another, so each is measured apart from /proc every second during the load; the driver (the users, and the raw measurements before the load) is its own process too.\n\n")
	}
	fmt.Fprintf(&b, "The first column is the same processes during %s just before the load, the seeding's events through and no user acting: what the system does by itself. Each service's relay reads the documents its service stored events in, by `_id`, and searches its outbox collections for pending events (by their index) at start and every 10 s; pathway checks the alerts of the people whose facts arrived every 2 s, reading their timelines in one query. Every query is served by an index (the tests refuse any other), so this base load does not grow with the population.\n\n", r.IdleFor)
	b.WriteString("| process | CPU with no user (cores) | CPU under load (cores, mean) | CPU seconds under load | RSS mean | RSS peak |\n|---|---|---|---|---|---|\n")
	for i, u := range r.Usage {
		idle := "–"
		if i < len(r.Idle) {
			idle = fmt.Sprintf("%.2f", r.Idle[i].Cores)
		}
		if u.Name == "whole machine" {
			fmt.Fprintf(&b, "| whole machine, every process | %s | %.2f of %d | %.0f | | |\n", idle, u.Cores, runtime.NumCPU(), u.CPUSeconds)
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f | %.0f | %s | %s |\n", u.Name, idle, u.Cores, u.CPUSeconds, mb(u.RSSMean), mb(u.RSSPeak))
	}

	l := r.Limits
	b.WriteString("\n## Raw limits of the parts, same machine, same run\n\n")
	b.WriteString("Measured before the load on the same embedded stack, with the shapes the services use (see `e2e/bench_test.go` for the Go benchmarks of the same):\n\n")
	b.WriteString("| part | what | figure |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| store (FerretDB v1.24.2 patched, SQLite) | InsertMany, batches of 1000 timeline-sized documents | %.0f docs/s |\n", l.InsertManyDocsPerSec)
	for _, rd := range l.IDRead {
		fmt.Fprintf(&b, "| store | FindOne by `_id` in a collection of %d documents | p50 %s, p99 %s |\n", rd.Size, ms(rd.P50), ms(rd.P99))
	}
	if g := l.GuardedUpdate; g.Size > 0 {
		fmt.Fprintf(&b, "| store | UpdateOne by `_id` and version (every optimistic write of the services) in a collection of %d documents | p50 %s, p99 %s |\n", g.Size, ms(g.P50), ms(g.P99))
	}
	fmt.Fprintf(&b, "| broker (kfake) | produce, acks=all, batches of 1000 300-byte messages (%d messages) | %.0f msgs/s |\n", l.BrokerMessages, l.ProduceMsgsPerSec)
	fmt.Fprintf(&b, "| broker | consume through a consumer group, committing every 1000 | %.0f msgs/s |\n", l.ConsumeMsgsPerSec)
	fmt.Fprintf(&b, "| net/http | a bare handler over loopback, %d keep-alive clients | %.0f req/s, p50 %s |\n", l.HTTPClients, l.HTTPReqPerSec, ms(l.HTTPP50))

	b.WriteString("\n## Reading these figures\n\n")
	b.WriteString("- The embedded store is FerretDB v1.24.2 with Percorsi's patch (`third_party/ferretdb/PATCHES`): every query goes through an index, so a read or a version-guarded write by `_id` costs the same at a thousand documents as at a million (the `_id` rows above; `make bench`'s `BenchmarkRawStoreByID` goes to a million). The last column of the latency table says how many `_id` reads' worth of time each action takes: what is above one is the action's own work (several reads and writes, decryption, scoring), not the size of the collections.\n")
	b.WriteString("- A 503 is a service's answer when its store did not reply within its 10 s timeout (or, for web, when the service behind a page did not reply within web's): the user is told to retry and nothing was acknowledged, so nothing is in the ledger.\n")
	if len(r.Idle) > 0 && !r.Shared {
		stack, idleMachine := r.Idle[0], r.Idle[len(r.Idle)-1]
		fmt.Fprintf(&b, "- With no user at all, just before the load, the stack process used %.2f of the machine's %d cores (the whole machine %.2f): the services' own background queries (see Memory and CPU). What the users got is what was left of the store beside them.\n",
			stack.Cores, runtime.NumCPU(), idleMachine.Cores)
	}
	b.WriteString("- Freshness is acknowledgement to the pathway: the relay of the service that acknowledged publishes the fact's event, pathway's consumer applies it to the timeline, and the timeline read shows it. When the acknowledged rate is above what the relays publish or pathway applies (the first rows of In short), the backlog and with it the freshness grow for as long as the load lasts, and the percentiles are those of this run's length.\n")
	b.WriteString("- The throughput is what the users' closed loop reached with the machine as it was; the ratios say how far each flow is from the raw limit of the part beneath it.\n")
	b.WriteString("- Seeding is excluded from every figure; the raw limits were measured before the load, on the same stack.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// freshnessKinds are the facts the probe follows, as the report names them.
var freshnessKinds = []struct{ kind, what string }{
	{Attendance, "a register's mark acknowledged"},
	{PlacementConfirmed, "an employer's confirmation acknowledged"},
	{HousingStepStarted, "a housing step acknowledged"},
}

func freshPercentile(f Freshness, p float64) string {
	d, above := f.Percentile(p)
	if above {
		return "above " + ms(d)
	}
	return ms(d)
}

func freshCell(f Freshness, acked int) string {
	switch {
	case acked == 0:
		return "– (none was acknowledged)"
	case f.Followed == 0:
		return "– (none followed)"
	}
	return fmt.Sprintf("p50 %s, p99 %s (%d of %d followed seen)", freshPercentile(f, 50), freshPercentile(f, 99), len(f.Seen), f.Followed)
}

func territoryList(n int) string {
	var names []string
	for _, t := range territories[:n] {
		names = append(names, t.City)
	}
	return strings.Join(names, ", ")
}

// WriteChart draws throughput, CPU and memory over the run.
func (r *Report) WriteChart(w io.Writer) error {
	const bucket = 5 // seconds
	run := r.Run
	perSec := func(name string) []float64 {
		s := run.Recorder.Series(name)
		n := int(run.End.Sub(run.Start).Seconds())
		var out []float64
		for i := 0; i < n; i += bucket {
			sum := 0
			for j := i; j < min(i+bucket, len(s)); j++ {
				sum += s[j]
			}
			out = append(out, float64(sum)/bucket)
		}
		return out
	}
	tput := panel{title: "Throughput during the load, per second (5 s means)", unit: "per s", step: bucket}
	tput.lines = append(tput.lines, line{"registers", perSec(actRegister)}, line{"marks / 10", scaled(perSec(seriesMarks), 0.1)},
		line{"published / 10", scaled(perSec(seriesPublished), 0.1)}, line{"into timelines / 10", scaled(perSec(seriesApplied), 0.1)},
		line{"pathway pages", perSec(actPage)}, line{"rankings", perSec(actRank)},
		line{"placements confirmed", perSec(actConfirm)}, line{"housing steps", perSec(actStep)})
	window := [2]float64{run.Start.Sub(r.At).Seconds(), run.End.Sub(r.At).Seconds()}
	cpu := panel{title: "CPU by process (cores), whole run", unit: "cores", step: 1, window: window}
	mem := panel{title: "Resident memory by process (MB), whole run", unit: "MB", step: 1, window: window}
	for i, p := range r.Parts {
		// Before a part started (the services start after the bulk
		// seeding), it used nothing.
		var c, m []float64
		for j, s := range r.Samples {
			if i >= len(s.RSS) {
				m = append(m, 0)
				if j > 0 {
					c = append(c, 0)
				}
				continue
			}
			m = append(m, float64(s.RSS[i])/(1<<20))
			if j > 0 {
				prev := 0.0
				if i < len(r.Samples[j-1].CPU) {
					prev = r.Samples[j-1].CPU[i]
				}
				dt := (s.At - r.Samples[j-1].At).Seconds()
				c = append(c, (s.CPU[i]-prev)/dt)
			}
		}
		cpu.lines = append(cpu.lines, line{shortName(p.Name), c})
		mem.lines = append(mem.lines, line{shortName(p.Name), m})
	}
	var machine []float64
	for j := 1; j < len(r.Samples); j++ {
		s, prev := r.Samples[j], r.Samples[j-1]
		machine = append(machine, (s.MachineCPU-prev.MachineCPU)/(s.At-prev.At).Seconds())
	}
	cpu.lines = append(cpu.lines, line{"whole machine", machine})
	return drawChart(w, []panel{tput, cpu, mem})
}

func scaled(v []float64, f float64) []float64 {
	out := make([]float64, len(v))
	for i := range v {
		out[i] = v[i] * f
	}
	return out
}

func shortName(s string) string {
	name, _, _ := strings.Cut(s, " (")
	return name
}
