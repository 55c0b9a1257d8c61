package hostile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/deploy/allinone"
)

// publicPages take no input a refusal is owed for: the sign-in form
// (whose ?next= FuzzLocalPath covers), the static files, and the language
// switch, which sets a known language or nothing and goes back to a local
// path.
var publicPages = []string{"GET /signin", "GET /static/{file}", "GET /lang/{lang}"}

// webRoutes reads the pages' routes from every source file of web: its
// own paths, not the service paths its clients call.
func webRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(repoFile("services/web/*.go"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "mux.Handle") {
			continue
		}
		for _, r := range routesIn(t, f) {
			if _, path, _ := strings.Cut(r, " "); !strings.HasPrefix(path, "/v1/") {
				seen[r] = true
			}
		}
	}
	var routes []string
	for r := range seen {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	return routes
}

// session is a signed-in demo user of the pages.
type session struct {
	user, cookie, csrf string
}

// signIn signs user in through the sign-in form, as a browser would.
func signIn(ctx context.Context, t *testing.T, sys *allinone.System, client *http.Client, user string) session {
	t.Helper()
	resp, err := client.Get(sys.WebURL + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var anon *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "percorsi_csrf" {
			anon = c
		}
	}
	if anon == nil {
		t.Fatal("the sign-in form set no anti-forgery cookie")
	}
	form := url.Values{"username": {user}, "password": {allinone.DemoPassword}, "csrf": {anon.Value}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, sys.WebURL+"/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(anon)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "percorsi_session" && c.Value != "" {
			sum := sha256.Sum256([]byte(c.Value))
			s, err := sys.Web.Sessions.Session(ctx, hex.EncodeToString(sum[:]), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return session{user: user, cookie: c.Value, csrf: s.CSRF}
		}
	}
	t.Fatalf("%s: sign-in answered %d without a session", user, resp.StatusCode)
	return session{}
}

// webCase is one hostile request to the pages.
type webCase struct {
	name    string
	method  string
	path    string
	form    url.Values
	session *session
}

// webCases sends hostile requests to every page and returns how many.
func webCases(ctx context.Context, t *testing.T, sys *allinone.System, client *http.Client, dbs []*mongo.Database, brokers []string, before *state) int {
	d := sys.Demo
	var sessions []session
	users := make([]string, 0, len(d.Users))
	for u := range d.Users {
		users = append(users, u)
	}
	sort.Strings(users)
	for _, u := range users {
		sessions = append(sessions, signIn(ctx, t, sys, client, u))
	}
	*before = settled(ctx, t, dbs, brokers) // the sessions are the test's own
	person := d.People[0].Pseudonym
	real := func(path, name string) string {
		switch {
		case name == "pseudonym":
			return person
		case strings.HasPrefix(path, "/lessons/"):
			return d.TodayLessonID
		case strings.HasPrefix(path, "/classes/"):
			return d.ClassID
		case strings.HasPrefix(path, "/editions/"):
			return d.Training.EditionID
		case strings.HasPrefix(path, "/jobs/vacancies/"):
			return d.Jobs.CookVacancyID
		case strings.HasPrefix(path, "/jobs/placements/"), strings.HasPrefix(path, "/employer-links/"):
			return d.Jobs.PlacementID
		case strings.HasPrefix(path, "/housing/steps/"):
			return "demo-step-amina-1"
		}
		return "unknown"
	}
	// Users of another organisation, or of a role the page is not for,
	// with the demo's own ids.
	intruders := map[string][]string{
		"/persons/":         {"luca.verdi", "elena.ferri", "maria.rossi", "gino.esposito"},
		"/lessons/":         {"paolo.neri", "giulia.bianchi", "gino.esposito"},
		"/classes/":         {"giulia.bianchi", "franco.marino", "gino.esposito"},
		"/editions/":        {"maria.rossi", "giulia.bianchi", "gino.esposito"},
		"/jobs/":            {"giulia.bianchi", "maria.rossi", "gino.esposito", "marta.gallo"},
		"/housing/":         {"giulia.bianchi", "maria.rossi", "gino.esposito", "elena.ferri"},
		"/employer-links/":  {},
		"/signin":           {},
		"/signout":          {},
		"/":                 {},
		"/lessons":          {"giulia.bianchi", "gino.esposito"},
		"/persons":          {"maria.rossi", "gino.esposito"},
		"/jobs":             {"maria.rossi", "gino.esposito"},
		"/housing":          {"maria.rossi", "gino.esposito"},
		"/lessons/open":     {"giulia.bianchi"},
		"/persons/open":     {"maria.rossi"},
		"/jobs/proposals":   {"maria.rossi"},
		"/housing/steps":    {"maria.rossi"},
		"/jobs/candidates/": {"maria.rossi", "gino.esposito"},
	}
	byUser := map[string]*session{}
	for i := range sessions {
		byUser[sessions[i].user] = &sessions[i]
	}
	sent := 0
	for _, route := range webRoutes(t) {
		if slices.Contains(publicPages, route) {
			continue
		}
		method, path, _ := strings.Cut(route, " ")
		path = strings.ReplaceAll(path, "{$}", "") // "/{$}" is the path "/" exactly
		var cases []webCase
		realPath := fill(path, func(name string) string { return real(path, name) })
		cases = append(cases,
			webCase{name: "no session", path: realPath},
			webCase{name: "forged session", path: realPath, session: &session{cookie: "forged-session-id", csrf: "forged"}},
		)
		owner := byUser[pageOwner(path)]
		if method == http.MethodPost {
			cases = append(cases, webCase{name: owner.user + " without the form token", path: realPath, session: owner, form: url.Values{"csrf": {"forged"}}})
		}
		if route == "POST /signin" {
			for _, h := range hostileStrings {
				cases = append(cases, webCase{name: h.name + " as user name and password", path: path, form: url.Values{"username": {h.value}, "password": {h.value}, "csrf": {"x"}}})
			}
			cases = append(cases, webCase{name: "2 MB password", path: path, form: url.Values{"username": {"maria.rossi"}, "password": {strings.Repeat("x", 2<<20)}, "csrf": {"x"}}})
		}
		if strings.Contains(path, "{") {
			values := hostileStrings
			if raceDetector { // as sampled does for the services
				values = values[sent%len(values):][:1]
			}
			for _, h := range values {
				c := webCase{name: owner.user + ", " + h.name + " everywhere", path: fill(path, func(string) string { return h.value }), session: owner}
				if method == http.MethodPost {
					c.form = hostileForm(h.value, owner.csrf)
				}
				cases = append(cases, c)
			}
		}
		for prefix, users := range intruders {
			if !strings.HasPrefix(path, prefix) || (!strings.HasSuffix(prefix, "/") && path != prefix) {
				continue
			}
			for _, u := range users {
				c := webCase{name: u + " on the demo's ids", path: realPath, session: byUser[u]}
				if method == http.MethodPost {
					c.form = url.Values{"csrf": {byUser[u].csrf}}
				}
				cases = append(cases, c)
			}
		}
		parallel(cases, func(c webCase) {
			c.method = method
			status, loc, err := sendWeb(ctx, client, sys.WebURL, c)
			toSignIn := status == http.StatusSeeOther && strings.HasPrefix(loc, "/signin")
			switch {
			case err != nil:
				t.Errorf("web %s, %s: %v", route, c.name, err)
			case (status < 400 || status > 499) && !(toSignIn && (c.session == nil || c.session.user == "")):
				t.Errorf("web %s, %s: status %d %s, want a 4xx (or, signed out, the sign-in page)", route, c.name, status, loc)
			}
		})
		sent += len(cases)
		if !raceDetector { // as for the services
			*before = checkNothingLeft(ctx, t, dbs, brokers, *before, "web "+route)
		}
	}
	*before = checkNothingLeft(ctx, t, dbs, brokers, *before, "web")
	return sent
}

// pageOwner is the demo user whose pages path belongs to, so that hostile
// input reaches past the role check.
func pageOwner(path string) string {
	for prefix, user := range map[string]string{
		"/editions/": "franco.marino", "/persons": "giulia.bianchi", "/jobs": "elena.ferri", "/housing": "marta.gallo",
	} {
		if strings.HasPrefix(path, prefix) {
			return user
		}
	}
	return "maria.rossi"
}

// hostileForm fills the fields the pages' forms have with v.
func hostileForm(v, csrf string) url.Values {
	form := url.Values{"csrf": {csrf}}
	for _, f := range []string{"person", "status-" + v, "minutes-" + v, "vacancy", "vacancy_id", "person_id", "note", "notes", "outcome",
		"reason", "start", "end", "starts_on", "hours", "kind", "accommodation_id", "destination", "to", "amount", "token", "confirm"} {
		form.Set(f, v)
	}
	form["person"] = []string{v, v}
	return form
}

func sendWeb(ctx context.Context, client *http.Client, base string, c webCase) (int, string, error) {
	body := strings.NewReader("")
	if c.form != nil {
		body = strings.NewReader(c.form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, c.method, base+c.path, body)
	if err != nil {
		return 0, "", err
	}
	if c.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.session != nil {
		req.AddCookie(&http.Cookie{Name: "percorsi_session", Value: c.session.cookie})
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), nil
}
