package load

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/auth"
	coursesdomain "github.com/percorsi/percorsi/services/courses/domain"
)

// The users' actions, as the report names them.
const (
	actRegister     = "teacher: record a lesson's register"
	actTimeline     = "case worker: read a timeline (pathway API)"
	actPage         = "case worker: open a person's pathway page (web)"
	actRank         = "counsellor: rank a vacancy's candidates"
	actPropose      = "counsellor: propose a candidate"
	actInterview    = "counsellor: record the interview"
	actPlacement    = "counsellor: start the placement"
	actLinkView     = "employer: open the link"
	actConfirm      = "employer: confirm the start"
	actStep         = "housing worker: start a housing step"
	seriesMarks     = "marks"
	seriesPublished = "events published by the relays"
	seriesApplied   = "events applied to timelines"
	pollEvery       = 200 * time.Millisecond
)

// Users says how many of each kind of user act at once. Each one acts
// again as soon as answered: the morning peak, when teachers record
// registers, counsellors and housing workers work through their lists,
// employers answer their links, and case workers open pathways.
type Users struct {
	Teachers, CaseWorkers, Counsellors, Employers, HousingWorkers int
	// Watchers follow a sample of acknowledged registers, placement
	// confirmations and housing steps to the person's timeline, to
	// measure freshness (see probe).
	Watchers int
}

// DefaultUsers is a morning peak on a small machine.
var DefaultUsers = Users{Teachers: 4, CaseWorkers: 1, Counsellors: 1, Employers: 1, HousingWorkers: 1, Watchers: 2}

// Run is one load run's outcome.
type Run struct {
	Users
	Start, End time.Time // of the load, seeding excluded
	Drained    time.Time // when the pathway held every acknowledged fact; zero if it never did
	Recorder   *Recorder
	Ledger     *Ledger
	Verdict    Verdict
	// Behind is how many acknowledged facts the pathway did not hold yet
	// at the first check after the load, and when that check read it.
	Behind   int
	BehindAt time.Time
	// Published and Applied are the events the relays published and
	// pathway applied to the timelines during the load, from the
	// services' metrics; zero if those could not be read.
	Published, Applied float64
	Probe              *probe
	OutOfWork          []string // kinds of users who ran out of work before the end
	PagesSkipped       string   // why case workers did not open web pages, if they did not
}

// Drive runs cfg.Users against t for cfg.Duration, and at least until
// cfg.MinRegisters registers were acknowledged, then waits up to
// cfg.Drain for the pathway to hold every fact they had acknowledged.
func Drive(ctx context.Context, t *Target, pop *Population, seeded *Seeded, cfg Config) (*Run, error) {
	us, progress := cfg.Users, cfg.Progress
	client, err := connect(t.MongoURI)
	if err != nil {
		return nil, err
	}
	defer client.Disconnect(context.WithoutCancel(ctx))
	metricsClient := &http.Client{}
	before, metricsErr := readInFlight(ctx, metricsClient, t)
	start := time.Now()
	ledger := NewLedger()
	// About sixty facts of each kind followed over the run, at most one
	// every five seconds.
	r := &Run{Users: us, Start: start, Recorder: NewRecorder(start), Ledger: ledger, Probe: newProbe(ledger, min(cfg.Duration/60, 5*time.Second), us.Watchers)}
	conns := us.Teachers + us.CaseWorkers + us.Counsellors + us.Employers + us.HousingWorkers + us.Watchers
	dr := &driver{
		t: t, pop: pop, seeded: seeded, run: r, u: newUsers(t.Issuer, conns, r.Recorder),
		links: make(chan link, 64), classes: map[string]*coursesdomain.Class{},
		proposed: map[string]bool{},
	}
	for _, c := range pop.Classes {
		dr.classes[c.ID] = c
	}
	loadCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	spawn := func(n int, kind string, fn func(ctx context.Context, i int) bool) {
		for i := range n {
			wg.Go(func() {
				for loadCtx.Err() == nil {
					if !fn(loadCtx, i) {
						dr.outOfWork(kind)
						return
					}
				}
			})
		}
	}
	spawn(us.Teachers, "teachers", dr.register)
	spawn(us.Counsellors, "counsellors", dr.place)
	spawn(us.Employers, "employers", dr.confirm)
	spawn(us.HousingWorkers, "housing workers", dr.house)
	pages, err := dr.signInCaseWorkers(ctx, us.CaseWorkers)
	if err != nil {
		r.PagesSkipped = err.Error()
		progress("case workers will not open web pages: %v", err)
	} else {
		spawn(us.CaseWorkers, "case workers", func(ctx context.Context, i int) bool { return dr.openPage(ctx, pages[i], i) })
	}
	var watchers sync.WaitGroup
	watchCtx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	for range us.Watchers {
		watchers.Go(func() { dr.follow(watchCtx) })
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	lastProgress, lastMetrics, last := start, start, before
	for loadCtx.Err() == nil {
		<-tick.C
		done := r.Recorder.Total(actRegister, 0, 1<<30) >= cfg.MinRegisters || dr.isOutOfWork("teachers")
		if time.Since(start) >= cfg.Duration && done {
			stop()
		}
		// The pipeline's own counts, for the chart: how fast events
		// leave the outboxes and reach the timelines.
		if metricsErr == nil && time.Since(lastMetrics) >= 5*time.Second {
			lastMetrics = time.Now()
			if f, err := readInFlight(ctx, metricsClient, t); err == nil {
				r.Recorder.Add(seriesPublished, lastMetrics, int(f.published-last.published))
				r.Recorder.Add(seriesApplied, lastMetrics, int(f.timelines-last.timelines))
				last = f
			}
		}
		if time.Since(lastProgress) >= 5*time.Second {
			lastProgress = time.Now()
			progress("%s", dr.status())
		}
	}
	wg.Wait()
	r.End = time.Now()
	if metricsErr == nil {
		after, err := readInFlight(ctx, metricsClient, t)
		if err == nil {
			r.Published, r.Applied = after.published-before.published, after.timelines-before.timelines
		}
	}
	progress("load over after %s: %s", r.End.Sub(start).Round(time.Second), dr.status())
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	// Drain: every acknowledged fact must reach the pathway, and the
	// watchers see the facts they follow there.
	db := client.Database("percorsi_pathway")
	deadline := time.Now().Add(cfg.Drain)
	for first := true; ; first = false {
		keys, err := ReadTimelines(ctx, db)
		if err == nil {
			r.Verdict = r.Ledger.Check(keys)
			if first {
				r.Behind, r.BehindAt = len(r.Verdict.Missing), time.Now()
			}
			progress("pathway holds %d of %d acknowledged facts exactly once, %d missing, %d duplicated; %d followed facts not seen by the watchers yet",
				r.Verdict.ExactlyOnce, r.Verdict.Acked, len(r.Verdict.Missing), len(r.Verdict.Duplicated), r.Probe.pending())
			if len(r.Verdict.Missing) == 0 && r.Drained.IsZero() {
				r.Drained = time.Now()
			}
		} else {
			progress("reading the timelines failed, trying again: %v", err)
		}
		if (!r.Drained.IsZero() && r.Probe.pending() == 0) || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(3 * time.Second):
		}
	}
	stopWatching()
	watchers.Wait()
	r.Probe.stop(time.Now())
	return r, nil
}

type driver struct {
	t       *Target
	pop     *Population
	seeded  *Seeded
	run     *Run
	u       *users
	links   chan link
	classes map[string]*coursesdomain.Class

	nextLesson, nextHoused, turn atomic.Int64

	mu       sync.Mutex
	proposed map[string]bool // people proposed by the load
	out      map[string]bool
}

// link is an employer link a counsellor handed out.
type link struct {
	path, person, placement string
}

func (d *driver) isOutOfWork(kind string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.out[kind]
}

func (d *driver) outOfWork(kind string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.out == nil {
		d.out = map[string]bool{}
	}
	if !d.out[kind] {
		d.out[kind] = true
		d.run.OutOfWork = append(d.run.OutOfWork, kind)
	}
}

// register records the register of the next lesson held.
func (d *driver) register(ctx context.Context, _ int) bool {
	n := int(d.nextLesson.Add(1)) - 1
	if n >= len(d.pop.Registerable) {
		return false
	}
	lesson := &d.pop.Lessons[d.pop.Registerable[n]]
	class := d.classes[lesson.ClassID]
	marks := Marks(class, lesson)
	type markJSON struct {
		Person  string `json:"person"`
		Status  string `json:"status"`
		Minutes int    `json:"minutes,omitempty"`
	}
	body := struct {
		Marks []markJSON `json:"marks"`
	}{}
	for _, m := range marks {
		body.Marks = append(body.Marks, markJSON{m.Person, string(m.Status), m.Minutes})
	}
	teacher := auth.Principal{Subject: class.Teachers[0], Role: auth.Teacher, Organisation: class.Organisation}
	err := d.u.call(ctx, actRegister, teacher, http.MethodPut, d.t.URLs["courses"]+"/v1/lessons/"+lesson.ID+"/register", body, nil, http.StatusCreated, http.StatusOK)
	if err != nil {
		return true
	}
	now := time.Now()
	for _, m := range marks {
		d.run.Ledger.Ack(Key{Kind: Attendance, Person: m.Person, Ref: lesson.ID}, now)
	}
	d.run.Recorder.Add(seriesMarks, now, len(marks))
	p := marks[int(hash(lesson.ID))%len(marks)].Person
	d.run.Probe.offer(Key{Kind: Attendance, Person: p, Ref: lesson.ID}, d.pop.organisationOf(p), now)
	return true
}

// follow reads, as a case worker would, the timeline of the next fact
// the probe follows, until ctx ends.
func (d *driver) follow(ctx context.Context) {
	for ctx.Err() == nil {
		if f := d.run.Probe.next(); f != nil {
			ok := d.read(ctx, f)
			d.run.Probe.release(f, ok, time.Now())
		}
		select {
		case <-ctx.Done():
		case <-time.After(pollEvery):
		}
	}
}

// read reads f's person's timeline through pathway's API and notes what
// it shows; false if it could not.
func (d *driver) read(ctx context.Context, f *followed) bool {
	cw := auth.Principal{Subject: CaseWorker(f.org, 0), Role: auth.CaseWorker, Organisation: Organisation(f.org)}
	var tl struct {
		Entries []struct {
			Kind       string `json:"kind"`
			Attendance *struct {
				LessonID string `json:"lesson_id"`
			} `json:"attendance"`
		} `json:"entries"`
	}
	if err := d.u.call(ctx, actTimeline, cw, http.MethodGet, d.t.URLs["pathway"]+"/v1/persons/"+f.Person+"/timeline", nil, &tl, http.StatusOK); err != nil {
		return false
	}
	at := time.Now()
	keys := make([]Key, len(tl.Entries))
	for i, e := range tl.Entries {
		keys[i].Kind = e.Kind
		if e.Attendance != nil {
			keys[i].Ref = e.Attendance.LessonID
		}
	}
	d.run.Ledger.Observe(f.Person, keys, at)
	return true
}

// signInCaseWorkers signs n case workers in to the pages.
func (d *driver) signInCaseWorkers(ctx context.Context, n int) ([]*page, error) {
	var pages []*page
	for i := range n {
		k := i % d.pop.Organisations
		p, err := d.u.signIn(ctx, d.t.URLs["web"], CaseWorker(k, i/d.pop.Organisations%caseWorkersPerOrg), password)
		if err != nil {
			return nil, err
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// openPage opens the pathway page of one of the case worker's people.
func (d *driver) openPage(ctx context.Context, p *page, i int) bool {
	k := i % d.pop.Organisations
	n := int(d.turn.Add(1))
	// The people of organisation k are those of its classes.
	c := (int(hash(fmt.Sprint(n)))%(d.pop.Size.Classes/d.pop.Organisations))*d.pop.Organisations + k
	class := d.pop.Classes[c]
	person := class.Roster[n%len(class.Roster)].Person
	_ = p.open(ctx, actPage, "/persons/"+person)
	return true
}

// place ranks a vacancy's candidates, proposes the best one not yet
// proposed, records the interview and starts the placement, handing the
// employer's link over.
func (d *driver) place(ctx context.Context, i int) bool {
	k := (i + int(d.turn.Add(1))) % d.pop.Organisations
	vs := d.seeded.Vacancies[k]
	vacancy := vs[int(hash(fmt.Sprint(time.Now().UnixNano())))%len(vs)]
	co := auth.Principal{Subject: Counsellor(k), Role: auth.Counsellor, Organisation: Organisation(k)}
	jobs := d.t.URLs["jobs"]
	var ranked struct {
		Candidates []struct {
			Person string `json:"person"`
		} `json:"candidates"`
	}
	if err := d.u.call(ctx, actRank, co, http.MethodGet, jobs+"/v1/vacancies/"+vacancy+"/candidates", nil, &ranked, http.StatusOK); err != nil {
		return true
	}
	person := ""
	d.mu.Lock()
	for _, c := range ranked.Candidates {
		if !d.proposed[c.Person] {
			person = c.Person
			d.proposed[person] = true
			break
		}
	}
	d.mu.Unlock()
	if person == "" {
		return true // all proposed already: another vacancy next time
	}
	var prop struct {
		ID string `json:"id"`
	}
	if err := d.u.call(ctx, actPropose, co, http.MethodPost, jobs+"/v1/proposals", map[string]string{"person": person, "vacancy_id": vacancy}, &prop, http.StatusCreated); err != nil {
		return true
	}
	today := time.Now().Format(time.DateOnly)
	if err := d.u.call(ctx, actInterview, co, http.MethodPost, jobs+"/v1/proposals/"+prop.ID+"/interview", map[string]string{"held_on": today, "outcome": "accepted"}, nil, http.StatusOK); err != nil {
		return true
	}
	var started struct {
		Placement struct {
			ID string `json:"id"`
		} `json:"placement"`
		EmployerLink string `json:"employer_link"`
	}
	terms := map[string]any{
		"starts_on": today, "ends_on": time.Now().AddDate(0, 6, 0).Format(time.DateOnly), "weekly_hours": 30,
		"monthly_allowance_cents": 60000, "duration_months": 6,
	}
	if err := d.u.call(ctx, actPlacement, co, http.MethodPost, jobs+"/v1/proposals/"+prop.ID+"/placement", terms, &started, http.StatusCreated); err != nil {
		return true
	}
	select {
	case d.links <- link{path: started.EmployerLink, person: person, placement: started.Placement.ID}:
	case <-ctx.Done():
	}
	return true
}

// confirm opens an employer link and confirms the placement's start.
func (d *driver) confirm(ctx context.Context, _ int) bool {
	var l link
	select {
	case <-ctx.Done():
		return true
	case l = <-d.links:
	}
	jobs := d.t.URLs["jobs"]
	if err := d.u.call(ctx, actLinkView, auth.Principal{}, http.MethodGet, jobs+l.path, nil, nil, http.StatusOK); err != nil {
		return true
	}
	_, token, _ := strings.Cut(l.path, "?token=")
	body := map[string]any{"token": token, "on": time.Now().Format(time.DateOnly), "weekly_hours": 30}
	if err := d.u.call(ctx, actConfirm, auth.Principal{}, http.MethodPost, jobs+"/v1/employer-links/"+l.placement, body, nil, http.StatusOK); err != nil {
		return true
	}
	k, now := Key{Kind: PlacementConfirmed, Person: l.person, Ref: l.placement}, time.Now()
	d.run.Ledger.Ack(k, now)
	d.run.Probe.offer(k, d.pop.organisationOf(l.person), now)
	return true
}

// house starts the first housing step of the next person waiting, in an
// accommodation of their organisation with a free place.
func (d *driver) house(ctx context.Context, _ int) bool {
	n := int(d.nextHoused.Add(1)) - 1
	if n >= len(d.pop.ToHouse) {
		return false
	}
	ps := d.pop.ToHouse[n]
	id := "st-load-" + ps
	if startStep(ctx, d.u, actStep, d.t.URLs["housing"], d.pop, d.seeded, ps, id, n) == nil {
		k, now := Key{Kind: HousingStepStarted, Person: ps, Ref: id}, time.Now()
		d.run.Ledger.Ack(k, now)
		d.run.Probe.offer(k, d.pop.organisationOf(ps), now)
	}
	return true
}

// startStep starts person ps's first housing step, named id, in an
// accommodation of their organisation, the n-th first and, when it is
// full, the next ones, as a housing worker looking for a free place would.
func startStep(ctx context.Context, u *users, action, housing string, pop *Population, seeded *Seeded, ps, id string, n int) error {
	k := pop.organisationOf(ps)
	hw := auth.Principal{Subject: HousingWorker(k), Role: auth.HousingWorker, Organisation: Organisation(k)}
	accs := seeded.Accommodations[k]
	var err error
	for try := range len(accs) {
		acc := accs[(n+try)%len(accs)]
		body := map[string]any{"id": id, "person": ps, "kind": acc.Kind, "accommodation_id": acc.ID, "start": time.Now().Format(time.DateOnly)}
		err = u.call(ctx, action, hw, http.MethodPost, housing+"/v1/steps", body, nil, http.StatusCreated, http.StatusOK)
		if se, ok := err.(*StatusError); !ok || se.Code != http.StatusConflict {
			return err
		}
	}
	return err
}

// status is one line of progress.
func (d *driver) status() string {
	r := d.run
	secs := time.Since(r.Start).Seconds()
	regs := r.Recorder.Total(actRegister, 0, 1<<30)
	marks := r.Recorder.Total(seriesMarks, 0, 1<<30)
	fresh := r.Probe.freshness(Attendance)
	failed := 0
	var p95 time.Duration
	for _, a := range r.Recorder.Actions() {
		for _, n := range a.Failed {
			failed += n
		}
		if a.Name == actRegister {
			p95 = a.P95
		}
	}
	placed, _ := r.Ledger.Count(PlacementConfirmed)
	housed, _ := r.Ledger.Count(HousingStepStarted)
	return fmt.Sprintf("[%3.0fs] registers %d (%.1f/s, p95 %s) marks %d (%.0f/s) | placements confirmed %d, housing steps %d, pages %d | freshness of marks p50 %s (%d seen, %d followed) | failed %d",
		secs, regs, float64(regs)/secs, p95.Round(time.Millisecond), marks, float64(marks)/secs, placed, housed,
		r.Recorder.Total(actPage, 0, 1<<30), Percentile(fresh.Seen, 50).Round(time.Millisecond), len(fresh.Seen), fresh.Followed, failed)
}

// ReadTimelines returns the key of every entry of every person's timeline
// as pathway stores it (with the Ref of every fact), for Ledger.Check.
func ReadTimelines(ctx context.Context, db *mongo.Database) ([]Key, error) {
	proj := bson.D{{Key: "person", Value: 1}, {Key: "attendance", Value: 1}, {Key: "fact", Value: 1}}
	cur, err := db.Collection("timeline").Find(ctx, bson.D{}, options.Find().SetProjection(proj))
	if err != nil {
		return nil, fmt.Errorf("read timelines: %w", err)
	}
	defer cur.Close(ctx)
	var keys []Key
	for cur.Next(ctx) {
		var e struct {
			Person     string `bson:"person"`
			Attendance *struct {
				LessonID string `bson:"lesson_id"`
			} `bson:"attendance"`
			Fact *struct {
				Kind string `bson:"kind"`
				Ref  string `bson:"ref"`
			} `bson:"fact"`
		}
		if err := cur.Decode(&e); err != nil {
			return nil, fmt.Errorf("read timelines: %w", err)
		}
		switch {
		case e.Attendance != nil:
			keys = append(keys, Key{Kind: Attendance, Person: e.Person, Ref: e.Attendance.LessonID})
		case e.Fact != nil:
			keys = append(keys, Key{Kind: e.Fact.Kind, Person: e.Person, Ref: e.Fact.Ref})
		}
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("read timelines: %w", err)
	}
	return keys, nil
}
