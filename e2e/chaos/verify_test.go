package chaos

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// pending counts the events waiting in every service's outbox, read on
// the store directly, past the proxies the faults act on.
func pending(ctx context.Context, store *mongo.Client) (int64, error) {
	dbs, err := store.ListDatabaseNames(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("list databases: %w", err)
	}
	var n int64
	for _, name := range dbs {
		if !strings.HasPrefix(name, "percorsi_") {
			continue
		}
		db := store.Database(name)
		colls, err := db.ListCollectionNames(ctx, bson.D{})
		if err != nil {
			return 0, fmt.Errorf("list collections of %s: %w", name, err)
		}
		for _, c := range colls {
			k, err := db.Collection(c).CountDocuments(ctx, bson.D{{Key: "outbox_pending", Value: true}})
			if err != nil {
				return 0, fmt.Errorf("count pending in %s.%s: %w", name, c, err)
			}
			n += k
		}
	}
	return n, nil
}

// documents counts the documents of every service's database.
func documents(ctx context.Context, store *mongo.Client) (int64, error) {
	dbs, err := store.ListDatabaseNames(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("list databases: %w", err)
	}
	var n int64
	for _, name := range dbs {
		if !strings.HasPrefix(name, "percorsi_") {
			continue
		}
		db := store.Database(name)
		colls, err := db.ListCollectionNames(ctx, bson.D{})
		if err != nil {
			return 0, fmt.Errorf("list collections of %s: %w", name, err)
		}
		for _, c := range colls {
			k, err := db.Collection(c).CountDocuments(ctx, bson.D{})
			if err != nil {
				return 0, fmt.Errorf("count %s.%s: %w", name, c, err)
			}
			n += k
		}
	}
	return n, nil
}

// timelineEntry is what the check reads of a pathway timeline entry.
type timelineEntry struct {
	EventID    string `json:"event_id"`
	Kind       string `json:"kind"`
	Attendance *struct {
		LessonID string `json:"lesson_id"`
		Status   string `json:"status"`
		Minutes  int    `json:"minutes"`
	} `json:"attendance"`
}

// timeline reads a person's pathway as their case worker does.
func timeline(ctx context.Context, pathwayURL, token, person string) ([]timelineEntry, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pathwayURL+"/v1/persons/"+person+"/timeline", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("timeline: status %d", resp.StatusCode)
	}
	var tl struct {
		Entries []timelineEntry `json:"entries"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tl); err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	return tl.Entries, nil
}

// verdict is the ledger checked against the pathways.
type verdict struct {
	registers, marks, confirmations, steps int // acknowledged
	unsure                                 int // confirmations the user never learnt of
	unsureKept                             int // of which on the pathway
	missing                                []string
	duplicated                             []string
	wrong                                  []string // on the pathway, but not as acknowledged
	extra                                  []string // on the pathway, never acknowledged nor unsure
}

func (v verdict) clean() bool {
	return len(v.missing) == 0 && len(v.duplicated) == 0 && len(v.wrong) == 0
}

// check reads every person's pathway and holds it against the ledger:
// each acknowledged mark, confirmation and step exactly once, as
// acknowledged. A person whose pathway still misses something (the
// consumer catching up) is read again until deadline; caughtUp is when
// the last one held everything, zero if one never did.
func check(ctx context.Context, pathwayURL, token string, w *world, led *ledger, deadline time.Time) (v verdict, caughtUp time.Time, err error) {
	led.mu.Lock()
	defer led.mu.Unlock()
	v = verdict{registers: len(led.registers), marks: len(led.registers) * w.people, confirmations: len(led.confirmed), steps: len(led.steps), unsure: len(led.unsure)}
	placementOf := map[string]string{}
	for _, pl := range w.placements {
		placementOf[pl.person] = pl.id
	}
	caughtUp = time.Now()
	for c := range w.classes {
		for p := range w.people {
			ps := w.person(c, p)
			var pv verdict
			for {
				entries, err := timeline(ctx, pathwayURL, token, ps)
				if err == nil {
					pv = checkPerson(w, led, c, p, placementOf[ps], entries)
					if len(pv.missing) == 0 {
						caughtUp = time.Now()
						break
					}
				}
				if time.Now().After(deadline) {
					if err != nil {
						return v, time.Time{}, fmt.Errorf("%s: %w", ps, err)
					}
					caughtUp = time.Time{}
					break
				}
				time.Sleep(time.Second)
			}
			v.missing = append(v.missing, pv.missing...)
			v.duplicated = append(v.duplicated, pv.duplicated...)
			v.wrong = append(v.wrong, pv.wrong...)
			v.extra = append(v.extra, pv.extra...)
			v.unsureKept += pv.unsureKept
		}
	}
	return v, caughtUp, nil
}

// checkPerson holds the timeline entries of person p of class c against
// the ledger.
func checkPerson(w *world, led *ledger, c, p int, placement string, entries []timelineEntry) verdict {
	var v verdict
	ps := w.person(c, p)
	seen := map[string]int{}
	for _, e := range entries {
		switch {
		case e.Attendance != nil:
			seen["mark "+e.Attendance.LessonID]++
			at, ok := led.registers[e.Attendance.LessonID]
			if status, min := mark(p, at[1]); ok && (e.Attendance.Status != status || e.Attendance.Minutes != min) {
				v.wrong = append(v.wrong, fmt.Sprintf("%s mark of %s is %s %d, acknowledged %s %d", ps, e.Attendance.LessonID, e.Attendance.Status, e.Attendance.Minutes, status, min))
			}
		case e.Kind == "placement_confirmed", e.Kind == "housing_step_started":
			seen[e.Kind]++
		}
	}
	want := map[string]bool{}
	for l := range w.lessons {
		if _, ok := led.registers[w.lessonID(c, l)]; ok {
			want["mark "+w.lessonID(c, l)] = true
		}
	}
	if _, ok := led.confirmed[placement]; ok {
		want["placement_confirmed"] = true
	}
	if _, ok := led.steps[w.stepID(ps)]; ok {
		want["housing_step_started"] = true
	}
	for what := range want {
		switch n := seen[what]; {
		case n == 0:
			v.missing = append(v.missing, ps+": "+what)
		case n > 1:
			v.duplicated = append(v.duplicated, fmt.Sprintf("%s: %s %d times", ps, what, n))
		}
	}
	for what, n := range seen {
		if want[what] {
			continue
		}
		if _, ok := led.unsure[placement]; ok && what == "placement_confirmed" {
			v.unsureKept++
			if n > 1 {
				v.duplicated = append(v.duplicated, fmt.Sprintf("%s: %s %d times", ps, what, n))
			}
			continue
		}
		v.extra = append(v.extra, fmt.Sprintf("%s: %s (%d)", ps, what, n))
	}
	return v
}

// transition is a breaker changing state, as web's /metrics showed it.
type transition struct {
	at      time.Time
	breaker string
	state   int // 0 closed, 1 half-open, 2 open
}

// breakerWatch scrapes every web replica's /metrics and keeps every
// change of its breakers' states, by breaker and replica:
// "web_pathway@web-2".
type breakerWatch struct {
	replicas []*service

	mu    sync.Mutex
	last  map[string]int
	moves []transition
}

func (b *breakerWatch) run(ctx context.Context, every time.Duration) {
	client := &http.Client{Timeout: time.Second}
	for pause(ctx, every) {
		for _, web := range b.replicas {
			states, err := scrapeBreakers(ctx, client, web.url+"/metrics")
			if err != nil {
				// The replica is away: a restarted web's breakers
				// start closed, which is no transition.
				b.mu.Lock()
				for k := range b.last {
					if strings.HasSuffix(k, "@"+web.id) {
						delete(b.last, k)
					}
				}
				b.mu.Unlock()
				continue
			}
			now := time.Now()
			b.mu.Lock()
			for name, s := range states {
				name += "@" + web.id
				if last, ok := b.last[name]; !ok || last != s {
					if ok || s != 0 {
						b.moves = append(b.moves, transition{at: now, breaker: name, state: s})
					}
					b.last[name] = s
				}
			}
			b.mu.Unlock()
		}
	}
}

// waitClosed waits until the scrapes of web show every breaker of every
// replica closed, and says whether they did within d. Every replica away
// is not closed: their breakers are unknown until one answers.
func (b *breakerWatch) waitClosed(ctx context.Context, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		b.mu.Lock()
		closed := len(b.last) > 0
		for _, s := range b.last {
			closed = closed && s == breakerClosed
		}
		b.mu.Unlock()
		if closed {
			return true
		}
		if time.Now().After(deadline) || !pause(ctx, 250*time.Millisecond) {
			return false
		}
	}
}

// Breaker states as web's gauge reports them.
const (
	breakerClosed = 0
	breakerOpen   = 2
)

// waitState waits until a scrape of a web replica shows breaker name in
// state, and says whether one did within d.
func (b *breakerWatch) waitState(ctx context.Context, name string, state int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		b.mu.Lock()
		found := false
		for k, s := range b.last {
			found = found || (strings.HasPrefix(k, name+"@") && s == state)
		}
		b.mu.Unlock()
		if found {
			return true
		}
		if time.Now().After(deadline) || !pause(ctx, 250*time.Millisecond) {
			return false
		}
	}
}

func (b *breakerWatch) transitions() []transition {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]transition(nil), b.moves...)
}

func scrapeBreakers(ctx context.Context, client *http.Client, url string) (map[string]int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	states := map[string]int{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, `percorsi_breaker_state{breaker="`)
		if !ok {
			continue
		}
		name, value, ok := strings.Cut(rest, `"} `)
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil, fmt.Errorf("breaker %s: %w", name, err)
		}
		states[name] = int(f)
	}
	return states, sc.Err()
}
