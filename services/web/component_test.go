package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/process"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	housingv1 "github.com/percorsi/percorsi/proto/percorsi/housing/v1"
	jobsv1 "github.com/percorsi/percorsi/proto/percorsi/jobs/v1"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
	"github.com/percorsi/percorsi/services/web"
	"github.com/percorsi/percorsi/services/web/clients"
	"github.com/percorsi/percorsi/services/web/domain"
)

const testKey = "0123456789abcdef0123456789abcdef-web-test"

// coursesAnswers is the courses fake: a class with four people, one
// withdrawn, and today's lesson; another teacher's lesson is refused.
func coursesAnswers() map[string]answer {
	return map[string]answer{
		"ListLessons": reply(`{"date":"2026-11-26","lessons":[{"lesson":{"id":"lez-1","class_id":"cl-1","start":"2026-11-26T08:00:00Z","minutes":120,"status":"scheduled"},
		 "class_title":"Italiano A2","site":"Via Galvani","expected":2}]}`),
		"GetClassAttendance": func(req proto.Message) (string, error) {
			if req.(*coursesv1.GetClassAttendanceRequest).ClassId != "cl-1" {
				return refuse(errcode.NotFound, "", "no such class")
			}
			return `{"class_id":"cl-1","title":"Italiano A2","course_kind":"italian_l2","admission_bp":7000,"people":[
			 {"person":"ps-a","display_name":"Amina K.","status":"enrolled","minutes_attended":210,"minutes_held":240,"rate_bp":8750},
			 {"person":"ps-b","display_name":"Joy O.","status":"enrolled","minutes_attended":178,"minutes_held":240,"rate_bp":7416,"consecutive_absences":1},
			 {"person":"ps-c","display_name":"Blessing E.","status":"enrolled","minutes_attended":144,"minutes_held":240,"rate_bp":6000,"consecutive_absences":3},
			 {"person":"ps-d","display_name":"Gone W.","status":"withdrawn","minutes_attended":0,"minutes_held":240,"rate_bp":0}]}`, nil
		},
		"GetLesson": func(req proto.Message) (string, error) {
			switch req.(*coursesv1.GetLessonRequest).LessonId {
			case "lez-1":
				return `{"lesson":{"id":"lez-1","class_id":"cl-1","start":"2026-11-26T08:00:00Z","minutes":120,"status":"scheduled"},"class_title":"Italiano A2",
				 "roster":[{"person":"ps-a","display_name":"Amina K."},{"person":"ps-b","display_name":"Joy O."}],
				 "people":[{"person":"ps-a","display_name":"Amina K.","status":"enrolled"},{"person":"ps-b","display_name":"Joy O.","status":"enrolled"}]}`, nil
			case "lez-other":
				return refuse(errcode.Forbidden, "", "not your class")
			}
			return refuse(errcode.NotFound, "", "no such lesson")
		},
		"RecordRegister": func(req proto.Message) (string, error) {
			r := req.(*coursesv1.RecordRegisterRequest)
			if r.LessonId != "lez-1" {
				return refuse(errcode.NotFound, "", "no such lesson")
			}
			for i, m := range r.Marks {
				if m.Minutes == 900 {
					return refuse(errcode.Invalid, fmt.Sprintf("marks[%d].minutes", i), "must be less than 120")
				}
			}
			return `{"register":{"lesson_id":"lez-1"},"created":true}`, nil
		},
	}
}

type rig struct {
	app                                       *web.App
	url                                       string
	courses, training, jobs, housing, pathway *rpcFake
}

var resilience = clients.Resilience{Timeout: time.Second, Attempts: 2, Pause: 10 * time.Millisecond, BreakerOpen: 500 * time.Millisecond}

func start(t *testing.T) *rig {
	t.Helper()
	stack := devstacktest.Start(t)
	r := &rig{
		courses:  newRPCFake(t, coursesv1.File_percorsi_courses_v1_courses_service_proto.Services().Get(0), coursesAnswers()),
		pathway:  newPathwayFake(t),
		training: newRPCFake(t, trainingv1.File_percorsi_training_v1_training_service_proto.Services().Get(0), trainingAnswers()),
		jobs:     newRPCFake(t, jobsv1.File_percorsi_jobs_v1_jobs_service_proto.Services().Get(0), jobsAnswers(), "LinkView", "ConfirmByLink"),
		housing:  newRPCFake(t, housingv1.File_percorsi_housing_v1_housing_service_proto.Services().Get(0), housingAnswers()),
	}
	r.housing.only(auth.Monitoring, "Indicators")
	ctx := t.Context()
	app, err := web.Open(ctx, web.Config{
		Config:      process.Config{MongoURI: stack.MongoURI(), KafkaBrokers: stack.KafkaBrokers(), TokenKey: testKey},
		CoursesGRPC: r.courses.addr, PathwayGRPC: r.pathway.addr, Resilience: resilience, TrustedProxies: []string{"127.0.0.1"},
		TrainingGRPC: r.training.addr, JobsGRPC: r.jobs.addr, HousingGRPC: r.housing.addr,
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	r.app = app
	accounts := []*domain.Account{
		{Username: "maria.rossi", DisplayName: "Maria Rossi", Role: auth.Teacher, Organisation: "cpia1-roma"},
		{Username: "giulia.bianchi", DisplayName: "Giulia Bianchi", Role: auth.CaseWorker, Organisation: "coop-aurora"},
		{Username: "elena.ferri", DisplayName: "Elena Ferri", Role: auth.Counsellor, Organisation: "coop-aurora"},
		{Username: "anna.guess", DisplayName: "Anna", Role: auth.CaseWorker, Organisation: "coop-aurora"},
		{Username: "ex.user", DisplayName: "Ex", Role: auth.Teacher, Organisation: "cpia1-roma", Disabled: true},
		{Username: "franco.marino", DisplayName: "Franco Marino", Role: auth.Trainer, Organisation: "cfp-lazio"},
		{Username: "marta.gallo", DisplayName: "Marta Gallo", Role: auth.HousingWorker, Organisation: "coop-aurora"},
		{Username: "gino.esposito", DisplayName: "Gino Esposito", Role: auth.Employer, Organisation: "emp-trattoria-gino"},
		{Username: "sofia.ricci", DisplayName: "Sofia Ricci", Role: auth.Monitoring, Organisation: "regione-lazio"},
	}
	hash, err := domain.HashPassword("percorsi-demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		a.PasswordHash = hash
		if err := app.Accounts.Put(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(app.Handler(app.Pages))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

// browser is a cookie-keeping client.
type browser struct {
	t            *testing.T
	base         string
	c            *http.Client
	forwardedFor string // the client's address, as the ingress would say it
}

func (r *rig) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: r.url, c: &http.Client{Jar: jar}}
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	b.forward(req)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// post submits form from the page at from, with that page's token unless
// the form brings its own.
func (b *browser) post(from, path string, form url.Values) (int, string) {
	b.t.Helper()
	if _, ok := form["csrf"]; !ok {
		_, page := b.get(from)
		m := csrfInput.FindStringSubmatch(page)
		if m == nil {
			b.t.Fatalf("no form token on %s", from)
		}
		form.Set("csrf", m[1])
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	b.forward(req)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) forward(req *http.Request) {
	if b.forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", b.forwardedFor)
	}
}

func (b *browser) signIn(user string) string {
	b.t.Helper()
	status, page := b.post("/signin", "/signin", url.Values{"username": {user}, "password": {"percorsi-demo"}})
	if status != http.StatusOK {
		b.t.Fatalf("sign in as %s: status %d", user, status)
	}
	return page
}

func TestWeb(t *testing.T) {
	r := start(t)

	t.Run("sign-in", func(t *testing.T) {
		tests := []struct {
			name, user, password string
			status               int
			says                 string
		}{
			{"wrong password", "maria.rossi", "nope", http.StatusUnauthorized, "Nome utente o password non corretti."},
			{"unknown user", "nobody", "percorsi-demo", http.StatusUnauthorized, "Nome utente o password non corretti."},
			{"disabled account", "ex.user", "percorsi-demo", http.StatusUnauthorized, "Nome utente o password non corretti."},
			{"nothing typed", "", "", http.StatusBadRequest, "Scrivi il nome utente e la password."},
			{"teacher lands on the lessons", "maria.rossi", "percorsi-demo", http.StatusOK, "Codice della lezione"},
			{"case worker lands on the people", "giulia.bianchi", "percorsi-demo", http.StatusOK, "Pseudonimo della persona"},
			{"counsellor lands on the vacancies", "elena.ferri", "percorsi-demo", http.StatusOK, "Offerte di lavoro aperte"},
			{"housing worker lands on the board", "marta.gallo", "percorsi-demo", http.StatusOK, "Posti disponibili"},
			{"employer lands on home, with nothing to open", "gino.esposito", "percorsi-demo", http.StatusOK, "datore di lavoro"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				b := r.browser(t)
				status, page := b.post("/signin", "/signin", url.Values{"username": {tt.user}, "password": {tt.password}})
				if status != tt.status || !strings.Contains(page, tt.says) {
					t.Errorf("status %d, want %d; page says %q: %t", status, tt.status, tt.says, strings.Contains(page, tt.says))
				}
			})
		}
	})

	t.Run("sign-in without the form token is refused", func(t *testing.T) {
		b := r.browser(t)
		status, _ := b.post("/signin", "/signin", url.Values{"csrf": {"forged"}, "username": {"maria.rossi"}, "password": {"percorsi-demo"}})
		if status != http.StatusForbidden {
			t.Errorf("status %d, want 403", status)
		}
	})

	t.Run("sign-in is rate limited per user", func(t *testing.T) {
		b := r.browser(t)
		for i := range 5 {
			if status, _ := b.post("/signin", "/signin", url.Values{"username": {"anna.guess"}, "password": {"guess"}}); status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: status %d, want 401", i, status)
			}
		}
		status, page := b.post("/signin", "/signin", url.Values{"username": {"anna.guess"}, "password": {"percorsi-demo"}})
		if status != http.StatusTooManyRequests || !strings.Contains(page, "Troppi tentativi") {
			t.Errorf("sixth attempt, right password: status %d, want 429 with Troppi tentativi", status)
		}
	})

	// Behind the ingress (a trusted proxy here), failures count by the
	// client's address: guesses from elsewhere lock out neither the user
	// nor everyone else (issue 21).
	t.Run("guesses from elsewhere lock nobody else out", func(t *testing.T) {
		from := func(addr string) *browser {
			b := r.browser(t)
			b.forwardedFor = addr
			return b
		}
		guesser := from("203.0.113.7")
		for i := range 30 {
			user := []string{"franco.marino", "sofia.ricci"}[i%2]
			if status, _ := guesser.post("/signin", "/signin", url.Values{"username": {user}, "password": {"guess"}}); status != http.StatusUnauthorized && status != http.StatusTooManyRequests {
				t.Fatalf("guess %d: status %d", i, status)
			}
		}
		if status, _ := guesser.post("/signin", "/signin", url.Values{"username": {"franco.marino"}, "password": {"percorsi-demo"}}); status != http.StatusTooManyRequests {
			t.Errorf("the guesser's own address after 30 failures: status %d, want 429", status)
		}
		from("198.51.100.9").signIn("franco.marino") // the user, from her own address
		from("198.51.100.10").signIn("marta.gallo")  // anyone else

		// Twenty guesses at one user name from as many addresses block the
		// name, but not for a browser that signed in as the user before.
		own := from("198.51.100.20")
		own.signIn("sofia.ricci")
		for i := range 20 {
			from(fmt.Sprintf("192.0.2.%d", i+1)).post("/signin", "/signin", url.Values{"username": {"sofia.ricci"}, "password": {"guess"}})
		}
		if status, _ := from("198.51.100.21").post("/signin", "/signin", url.Values{"username": {"sofia.ricci"}, "password": {"percorsi-demo"}}); status != http.StatusTooManyRequests {
			t.Errorf("a new browser after twenty guesses at the name: status %d, want 429", status)
		}
		own.signIn("sofia.ricci")
	})

	t.Run("static files are served one by one, never listed", func(t *testing.T) {
		b := r.browser(t)
		if status, body := b.get("/static/style.css"); status != http.StatusOK || body == "" {
			t.Errorf("style.css: status %d", status)
		}
		if status, body := b.get("/static/"); status == http.StatusOK && strings.Contains(body, "style.css") {
			t.Errorf("/static/ lists its directory: %d", status)
		}
		for name, want := range map[string]int{"%FF%FE": http.StatusBadRequest, "..%2Fapp.go": http.StatusNotFound, "nothing.css": http.StatusNotFound} {
			if status, _ := b.get("/static/" + name); status != want {
				t.Errorf("/static/%s: status %d, want %d", name, status, want)
			}
		}
	})

	t.Run("cookies are HttpOnly and SameSite=Lax", func(t *testing.T) {
		b := r.browser(t)
		_, page := b.get("/signin")
		token := csrfInput.FindStringSubmatch(page)[1]
		form := url.Values{"csrf": {token}, "username": {"maria.rossi"}, "password": {"percorsi-demo"}}
		req, _ := http.NewRequest(http.MethodPost, r.url+"/signin", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		u, _ := url.Parse(r.url)
		for _, c := range b.c.Jar.Cookies(u) {
			req.AddCookie(c)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var found bool
		for _, c := range resp.Cookies() {
			if c.Name == "percorsi_session" {
				found = true
				if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
					t.Errorf("session cookie: HttpOnly %v SameSite %v Secure %v (plain HTTP: not Secure)", c.HttpOnly, c.SameSite, c.Secure)
				}
			}
		}
		if !found {
			t.Error("no session cookie set on sign-in")
		}
	})

	t.Run("teacher marks a register", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("maria.rossi")
		status, page := b.get("/lessons/lez-1")
		if status != http.StatusOK || !strings.Contains(page, "Amina K.") || !strings.Contains(page, "Joy O.") {
			t.Fatalf("register page: status %d, names shown: %v", status, strings.Contains(page, "Amina K."))
		}
		status, page = b.post("/lessons/lez-1", "/lessons/lez-1/register", url.Values{
			"person": {"ps-a", "ps-b"}, "status-ps-a": {"present"}, "status-ps-b": {"late"}, "minutes-ps-b": {"90"},
		})
		if status != http.StatusOK || !strings.Contains(page, "Registro salvato.") {
			t.Fatalf("save: status %d, saved notice shown: %v", status, strings.Contains(page, "Registro salvato."))
		}
		r.courses.mu.Lock()
		got, who := r.courses.last["RecordRegister"], r.courses.who
		r.courses.mu.Unlock()
		want := &coursesv1.RecordRegisterRequest{LessonId: "lez-1", Marks: []*coursesv1.Mark{
			{Person: "ps-a", Status: registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT},
			{Person: "ps-b", Status: registerv1.AttendanceStatus_ATTENDANCE_STATUS_LATE, Minutes: 90},
		}}
		if !proto.Equal(got, want) {
			t.Errorf("courses got %v, want %v", got, want)
		}
		if who.Subject != "maria.rossi" || who.Role != auth.Teacher || who.Organisation != "cpia1-roma" {
			t.Errorf("courses was called as %+v, want the teacher", who)
		}
	})

	t.Run("teacher sees today's lessons, or the form when courses is away", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("maria.rossi")
		status, page := b.get("/lessons")
		if status != http.StatusOK || !strings.Contains(page, `href="/lessons/lez-1"`) || !strings.Contains(page, "ore 09:00 · 120 minuti · 2 iscritte e iscritti · Via Galvani") {
			t.Errorf("status %d; today's lesson not listed:\n%s", status, page)
		}
		r.courses.down.Store(true)
		defer r.courses.down.Store(false)
		status, page = b.get("/lessons")
		if status != http.StatusOK || !strings.Contains(page, "l&#39;elenco delle lezioni di oggi non è disponibile") || !strings.Contains(page, `name="id"`) {
			t.Errorf("courses down: status %d; want the notice and the form", status)
		}
	})

	t.Run("a refused mark names the person", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("maria.rossi")
		status, page := b.post("/lessons/lez-1", "/lessons/lez-1/register", url.Values{
			"person": {"ps-a", "ps-b"}, "status-ps-a": {"present"}, "status-ps-b": {"late"}, "minutes-ps-b": {"900"},
		})
		if status != http.StatusBadRequest || !strings.Contains(page, "Controlla i minuti di presenza di Joy O.") || !strings.Contains(page, `value="900"`) {
			t.Errorf("status %d, want 400 naming Joy O. and keeping what was typed; page:\n%s", status, page)
		}
	})

	t.Run("a post without the session's form token changes nothing", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("maria.rossi")
		before := r.courses.calls.Load()
		status, _ := b.post("/lessons/lez-1", "/lessons/lez-1/register", url.Values{"csrf": {"forged"}, "person": {"ps-a"}, "status-ps-a": {"absent"}})
		if status != http.StatusForbidden || r.courses.calls.Load() != before {
			t.Errorf("status %d, courses calls %d more; want 403 and none", status, r.courses.calls.Load()-before)
		}
	})

	t.Run("access", func(t *testing.T) {
		tests := []struct {
			user, path string
			status     int
		}{
			{"", "/lessons/lez-1", http.StatusOK}, // redirected to the sign-in page
			{"giulia.bianchi", "/lessons", http.StatusForbidden},
			{"giulia.bianchi", "/lessons/lez-1", http.StatusForbidden},
			{"elena.ferri", "/lessons/lez-1", http.StatusForbidden},
			{"maria.rossi", "/persons", http.StatusForbidden},
			{"maria.rossi", "/persons/ps-a", http.StatusForbidden},
			{"elena.ferri", "/persons/ps-a", http.StatusForbidden},
			{"maria.rossi", "/lessons/lez-other", http.StatusForbidden}, // refused by the service itself
			{"maria.rossi", "/lessons/..%2f..%2fv1", http.StatusNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.user+tt.path, func(t *testing.T) {
				b := r.browser(t)
				if tt.user != "" {
					b.signIn(tt.user)
				}
				status, page := b.get(tt.path)
				if status != tt.status {
					t.Errorf("status %d, want %d", status, tt.status)
				}
				if tt.user == "" && !strings.Contains(page, `name="password"`) {
					t.Error("anonymous user not sent to the sign-in page")
				}
			})
		}
	})

	t.Run("case worker reads a pathway in both languages", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("giulia.bianchi")
		status, page := b.get("/persons/ps-a")
		if status != http.StatusOK || !strings.Contains(page, "Presente alla lezione") || !strings.Contains(page, "2 h 30 min") || !strings.Contains(page, `<html lang="it">`) {
			t.Errorf("status %d; italian timeline and hours not shown", status)
		}
		b.get("/lang/en?back=/persons/ps-a")
		_, page = b.get("/persons/ps-a")
		if !strings.Contains(page, "Present at the Italian L2 lesson") || !strings.Contains(page, "Hours by course") || !strings.Contains(page, `<html lang="en">`) {
			t.Error("english page not shown after choosing English")
		}
		// Pathway's reasons too: web asks for them in the page's language.
		if !strings.Contains(page, "Attending the Italian L2 course (lesson of 01/09/2026)") || !strings.Contains(page, "Grounds: no confirmed placement and no active enrolment") {
			t.Error("english page shows pathway's reasons in another language")
		}
	})

	t.Run("a service down: the page says so, the breaker spares it, then recovers", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("giulia.bianchi")
		r.pathway.down.Store(true)
		for range 5 {
			status, page := b.get("/persons/ps-a")
			if status != http.StatusServiceUnavailable || !strings.Contains(page, "Il servizio del percorso non risponde") {
				t.Fatalf("status %d, want 503 saying the pathway is unavailable", status)
			}
		}
		calls := r.pathway.calls.Load()
		if status, page := b.get("/persons/ps-a"); status != http.StatusServiceUnavailable || !strings.Contains(page, "Il servizio del percorso non risponde") {
			t.Errorf("with the breaker open: status %d, want 503 saying so", status)
		}
		if got := r.pathway.calls.Load(); got != calls {
			t.Errorf("the open breaker let %d calls through to the failing service", got-calls)
		}
		if !strings.Contains(metrics(t, r), `percorsi_breaker_state{breaker="web_pathway"} 2`) {
			t.Error("metrics do not show the pathway breaker open")
		}
		if status, _ := r.browser(t).get("/signin"); status != http.StatusOK {
			t.Errorf("sign-in page with pathway down: status %d", status)
		}
		r.pathway.down.Store(false)
		time.Sleep(resilience.BreakerOpen)
		if status, page := b.get("/persons/ps-a"); status != http.StatusOK || !strings.Contains(page, "Presente alla lezione") {
			t.Errorf("after the service returned: status %d, want the timeline", status)
		}
		if !strings.Contains(metrics(t, r), `percorsi_breaker_state{breaker="web_pathway"} 0`) {
			t.Error("metrics do not show the pathway breaker closed again")
		}
	})

	t.Run("an expired session leads to the sign-in and is swept", func(t *testing.T) {
		id := "expired-session-id"
		sum := sha256.Sum256([]byte(id))
		s := &domain.Session{IDHash: hex.EncodeToString(sum[:]), Username: "maria.rossi", Role: auth.Teacher, CSRF: "x", Expires: time.Now().Add(-time.Minute)}
		if err := r.app.Sessions.Create(t.Context(), s); err != nil {
			t.Fatal(err)
		}
		b := r.browser(t)
		u, _ := url.Parse(r.url)
		b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "percorsi_session", Value: id, Path: "/"}})
		if _, page := b.get("/lessons"); !strings.Contains(page, `name="password"`) {
			t.Error("an expired session opened the lessons")
		}
		if n, err := r.app.Sessions.Sweep(t.Context(), time.Now()); err != nil || n < 1 {
			t.Errorf("sweep removed %d sessions (%v), want the expired one", n, err)
		}
	})

	t.Run("work pages", func(t *testing.T) { testWorkPages(t, r) })

	t.Run("sign-out ends the session", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("maria.rossi")
		status, page := b.post("/lessons", "/signout", url.Values{})
		if status != http.StatusOK || !strings.Contains(page, "Sei uscita o uscito") {
			t.Errorf("sign-out: status %d", status)
		}
		if _, page := b.get("/lessons"); !strings.Contains(page, `name="password"`) {
			t.Error("after sign-out the lessons page is still open")
		}
	})
}

func metrics(t *testing.T, r *rig) string {
	t.Helper()
	rec := httptest.NewRecorder()
	r.app.Handler(r.app.Pages).ServeHTTP(rec, httptest.NewRequestWithContext(context.WithoutCancel(t.Context()), "GET", "/metrics", nil))
	return rec.Body.String()
}
