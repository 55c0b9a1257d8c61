package chaos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Operations the users perform, as the report names them.
const (
	opRegister   = "register (courses)"
	opConfirm    = "placement confirmation (jobs, employer link)"
	opStep       = "housing step (housing)"
	opWebPerson  = "pathway page (web -> pathway)"
	opWebLessons = "lessons page (web -> courses)"
)

var ops = []string{opRegister, opConfirm, opStep, opWebPerson, opWebLessons}

// pagedServices are those the load's web pages call, whose breakers in web
// a kill of theirs must open.
var pagedServices = []string{"pathway", "courses"}

// callTimeout is how long a user's client waits for an answer: a call
// without one by then hung. Every service bounds each store operation at
// 10 s (storeBound), not a whole request, so a failure slower than that
// is reported too.
const (
	callTimeout = 30 * time.Second
	storeBound  = 10 * time.Second
)

// outcome is one call a user made.
type outcome struct {
	op         string
	start      time.Time
	latency    time.Duration
	status     int    // 0: no HTTP answer
	retryAfter bool   // the answer carried Retry-After
	degraded   bool   // a web page that says a part of it is unavailable
	fault      string // refused, reset, timeout, closed: why there was no answer
}

func (o outcome) ok() bool { return o.status >= 200 && o.status < 300 && !o.degraded }

type recorder struct {
	mu       sync.Mutex
	outcomes []outcome
}

func (r *recorder) add(o outcome) {
	r.mu.Lock()
	r.outcomes = append(r.outcomes, o)
	r.mu.Unlock()
}

func (r *recorder) all() []outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]outcome(nil), r.outcomes...)
}

// ledger is everything a user was told was done (HTTP 2xx).
type ledger struct {
	mu        sync.Mutex
	registers map[string][2]int // lesson id -> class, lesson
	confirmed map[string]string // placement id -> person
	steps     map[string]string // step id -> person
	// unsure are actions whose outcome the user never learnt (no answer,
	// then a refusal on retry because it had been done): kept or not,
	// neither is a loss, and the report says which.
	unsure map[string]string // placement id -> person
}

func newLedger() *ledger {
	return &ledger{registers: map[string][2]int{}, confirmed: map[string]string{}, steps: map[string]string{}, unsure: map[string]string{}}
}

// load is the users: teachers recording registers, an employer confirming
// placements, a housing worker starting steps, and, through web, a case
// worker reading pathways and a teacher opening the day's lessons.
type load struct {
	w        *world
	urls     map[string]string // service -> base URL
	rec      *recorder
	led      *ledger
	client   *http.Client
	pace     time.Duration // between one teacher's registers
	teachers int
	// webReplicas sets how many read web's pages: two case workers and
	// two teachers per replica.
	webReplicas int
}

func (ld *load) run(ctx context.Context) error {
	// Two case workers and two teachers on the pages per web replica, so
	// that each replica's breakers see calls often enough to judge a
	// service away: with two in all spread over three replicas, web's
	// courses breakers saw about one call in three seconds each and none
	// opened in the 30 s after every courses replica was killed.
	readers := 2 * ld.webReplicas
	var pages []*http.Client
	for range readers {
		for _, who := range []string{caseWorker.Subject, teacher.Subject} {
			c, err := ld.signIn(ctx, who)
			if err != nil {
				return err
			}
			pages = append(pages, c)
		}
	}
	var wg sync.WaitGroup
	for t := range ld.teachers {
		wg.Go(func() { ld.teacher(ctx, t) })
	}
	wg.Go(func() { ld.employer(ctx) })
	wg.Go(func() { ld.housingWorker(ctx) })
	for i := range readers {
		wg.Go(func() { ld.webReader(ctx, pages[2*i], opWebPerson, i, readers, 1500*time.Millisecond) })
		wg.Go(func() { ld.webReader(ctx, pages[2*i+1], opWebLessons, i, readers, 2*time.Second) })
	}
	wg.Wait()
	return nil
}

// call makes one request and records what the user saw.
func (ld *load) call(ctx context.Context, client *http.Client, op, method, url, token, body string) outcome {
	o := outcome{op: op, start: time.Now()}
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		panic(err) // the run builds every URL itself
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		o.latency = time.Since(o.start)
		if ctx.Err() != nil {
			return o // the run ended: not a user's call
		}
		o.fault = faultOf(err)
		ld.rec.add(o)
		return o
	}
	// web answers 200 with the page's frame and a notice where a part
	// of it is unavailable: that is an error the user saw.
	page, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	o.degraded = strings.Contains(string(page), `data-testid="unavailable"`)
	o.latency = time.Since(o.start)
	o.status = resp.StatusCode
	o.retryAfter = resp.Header.Get("Retry-After") != ""
	ld.rec.add(o)
	return o
}

func faultOf(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "closed"
	}
	return "other"
}

// retryable says whether a user would try again: the service was away or
// said so; a 4xx is an answer.
func retryable(o outcome) bool {
	return o.status == 0 || o.status >= 500 || o.status == http.StatusTooManyRequests
}

// pause waits d or until ctx ends, and says whether to go on.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// teacher t records the registers of classes t, t+teachers, ..., each
// class's lessons in order, one class after the other at pace; a register
// that failed is submitted again a second later, as a teacher would.
func (ld *load) teacher(ctx context.Context, t int) {
	w := ld.w
	for l := range w.lessons {
		for c := t; c < w.classes; c += ld.teachers {
			for {
				o := ld.call(ctx, ld.client, opRegister, http.MethodPut, ld.urls["courses"]+"/v1/lessons/"+w.lessonID(c, l)+"/register", w.tokens[teacher.Subject], registerBody(w, c, l))
				if ctx.Err() != nil {
					return
				}
				if o.ok() {
					ld.led.mu.Lock()
					ld.led.registers[w.lessonID(c, l)] = [2]int{c, l}
					ld.led.mu.Unlock()
				}
				if !retryable(o) {
					break
				}
				if !pause(ctx, time.Second) {
					return
				}
			}
			if !pause(ctx, ld.pace) {
				return
			}
		}
	}
}

func registerBody(w *world, c, l int) string {
	var b strings.Builder
	b.WriteString(`{"marks":[`)
	for p := range w.people {
		if p > 0 {
			b.WriteByte(',')
		}
		status, min := mark(p, l)
		fmt.Fprintf(&b, `{"person":%q,"status":%q,"minutes":%d}`, w.person(c, p), status, min)
	}
	b.WriteString(`]}`)
	return b.String()
}

// employer confirms each placement's start through its single-use link. A
// link whose first use got no answer may have been spent: a refusal of
// the retry leaves the confirmation unsure, not lost.
func (ld *load) employer(ctx context.Context) {
	on := time.Now().UTC().Format(time.DateOnly)
	interval := ld.pace * time.Duration(ld.teachers) / 2
	for _, pl := range ld.w.placements {
		body := fmt.Sprintf(`{"token":%q,"on":%q,"weekly_hours":30}`, pl.token, on)
		answered := false
		for {
			o := ld.call(ctx, ld.client, opConfirm, http.MethodPost, ld.urls["jobs"]+"/v1/employer-links/"+pl.id, "", body)
			if ctx.Err() != nil {
				return
			}
			ld.led.mu.Lock()
			switch {
			case o.ok():
				ld.led.confirmed[pl.id] = pl.person
			case o.status == http.StatusConflict && !answered:
				ld.led.unsure[pl.id] = pl.person
			}
			ld.led.mu.Unlock()
			answered = answered || (o.status != 0 && o.status < 500)
			if !retryable(o) {
				break
			}
			if !pause(ctx, time.Second) {
				return
			}
		}
		if !pause(ctx, interval) {
			return
		}
	}
}

// housingWorker starts each person's step in the flat, with the step id
// chosen here so that a retry is answered with the stored step.
func (ld *load) housingWorker(ctx context.Context) {
	interval := ld.pace * time.Duration(ld.teachers) / 2
	start := time.Now().UTC().Format(time.DateOnly)
	for _, ps := range ld.w.persons() {
		id := ld.w.stepID(ps)
		body := fmt.Sprintf(`{"id":%q,"person":%q,"kind":"semi_autonomy_flat","accommodation_id":%q,"start":%q}`, id, ps, ld.w.flat, start)
		for {
			o := ld.call(ctx, ld.client, opStep, http.MethodPost, ld.urls["housing"]+"/v1/steps", ld.w.tokens[housingWorker.Subject], body)
			if ctx.Err() != nil {
				return
			}
			if o.ok() {
				ld.led.mu.Lock()
				ld.led.steps[id] = ps
				ld.led.mu.Unlock()
			}
			if !retryable(o) {
				break
			}
			if !pause(ctx, time.Second) {
				return
			}
		}
		if !pause(ctx, interval) {
			return
		}
	}
}

// signIn signs subject in on web and returns a client that carries the
// session and reports redirects instead of following them.
func (ld *load) signIn(ctx context.Context, subject string) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	client := &http.Client{
		Timeout: callTimeout, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	base, err := url.Parse(ld.urls["web"])
	if err != nil {
		return nil, err
	}
	// The sign-in form's token is double-submitted: any value in both
	// the cookie and the form will do.
	jar.SetCookies(base, []*http.Cookie{{Name: "percorsi_csrf", Value: "chaos-csrf", Path: "/"}})
	form := url.Values{"username": {subject}, "password": {password}, "csrf": {"chaos-csrf"}, "next": {"/"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ld.urls["web"]+"/signin", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sign in %s: %w", subject, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign in %s: status %d", subject, resp.StatusCode)
	}
	return client, nil
}

// webReader opens a page every interval: a pathway page of each person in
// turn from the first-th of readers' shares, or the teacher's lessons of
// the day.
func (ld *load) webReader(ctx context.Context, client *http.Client, op string, first, readers int, interval time.Duration) {
	persons := ld.w.persons()
	for i := first * len(persons) / readers; ; i++ {
		path := "/lessons"
		if op == opWebPerson {
			path = "/persons/" + persons[i%len(persons)]
		}
		ld.call(ctx, client, op, http.MethodGet, ld.urls["web"]+path, "", "")
		if !pause(ctx, interval) {
			return
		}
	}
}
