// Package hostile sends hostile input to every route of every service of
// the whole system, started in-process on the embedded stack with the demo
// data: oversized and deeply nested bodies, wrong types, unknown fields,
// unicode tricks, injection attempts in every string, forged, expired and
// unsigned tokens, roles that must not call a route, and another
// organisation's ids. Each must be refused with a 4xx and leave nothing
// behind: no document written or changed, no Kafka record produced.
package hostile

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/deploy/allinone"
	"github.com/percorsi/percorsi/pkg/auth"
)

// service is one API under test and what the demo holds of it.
type service struct {
	name, url string
	owner     string // organisation that owns the demo data
	// roles says who may call a route; routes not listed: defaults.
	roles    map[string][]auth.Role
	defaults []auth.Role
	// param is a real id of the demo for a path parameter of a route.
	param func(route, name string) string
	// shared are routes another organisation may call on the demo's ids,
	// and why: for them that is no hostile case.
	shared map[string]string
}

var allRoles = []auth.Role{auth.Teacher, auth.Coordinator, auth.Trainer, auth.Counsellor, auth.Employer, auth.HousingWorker, auth.CaseWorker, auth.Monitoring}

func services(sys *allinone.System) []service {
	d := sys.Demo
	person := d.People[0].Pseudonym
	hw, cw := auth.HousingWorker, auth.CaseWorker
	return []service{
		{
			name: "courses", url: sys.CoursesURL, owner: "cpia1-roma",
			defaults: []auth.Role{auth.Teacher, auth.Coordinator},
			param: func(route, name string) string {
				switch {
				case name == "person":
					return person
				case strings.Contains(route, "/v1/classes/"):
					return d.ClassID
				case strings.Contains(route, "/v1/lessons/"):
					return d.TodayLessonID
				}
				return "crs-italiano-a2"
			},
		},
		{
			name: "training", url: sys.TrainingURL, owner: "cfp-lazio-ristorazione",
			defaults: []auth.Role{auth.Trainer, auth.Coordinator},
			roles: map[string][]auth.Role{
				"PUT /v1/courses/{id}":  {auth.Coordinator},
				"PUT /v1/editions/{id}": {auth.Coordinator},
			},
			shared: map[string]string{"GET /v1/courses/{id}": "the catalogue is open to all staff"},
			param: func(route, name string) string {
				switch {
				case name == "person":
					return d.Training.Intern
				case name == "module":
					return "laboratorio"
				case strings.Contains(route, "/v1/courses/"):
					return d.Training.CourseID
				case strings.Contains(route, "/v1/lessons/"):
					return "tr-missing" // lessons are named by their day
				}
				return d.Training.EditionID
			},
		},
		{
			name: "pathway", url: sys.PathwayURL, owner: "coop-aurora",
			defaults: []auth.Role{cw},
			roles:    map[string][]auth.Role{"GET /v1/monitoring/indicators": {auth.Monitoring}},
			param: func(_, name string) string {
				switch name {
				case "action":
					return "acknowledge"
				case "decision":
					return "accept"
				case "pseudonym":
					return person
				}
				return "unknown-" + name
			},
		},
		{
			name: "housing", url: sys.HousingURL, owner: "coop-aurora",
			defaults: []auth.Role{hw},
			roles: map[string][]auth.Role{
				"GET /v1/availability":               {hw, cw, auth.Monitoring},
				"GET /v1/indicators":                 {auth.Monitoring, cw, hw},
				"GET /v1/persons/{id}/housing":       {hw, cw},
				"GET /v1/offers":                     {hw, cw},
				"PUT /v1/persons/{id}/profile":       {hw, cw},
				"GET /v1/persons/{id}/offer-matches": {hw, cw},
			},
			shared: map[string]string{"GET /v1/persons/{id}/housing": "another organisation sees the kinds and dates of the steps, nothing that could locate the person"},
			param: func(route, _ string) string {
				switch {
				case strings.Contains(route, "/v1/persons/"):
					return person
				case strings.Contains(route, "/v1/accommodations/"):
					return d.Housing.ProtectedShelterID
				case strings.Contains(route, "/v1/steps/"):
					return "demo-step-amina-1"
				}
				return "unknown"
			},
		},
		{
			name: "jobs", url: sys.JobsURL, owner: "coop-aurora",
			defaults: []auth.Role{auth.Counsellor},
			roles: map[string][]auth.Role{
				"GET /v1/vacancies":       {auth.Counsellor, auth.Employer},
				"GET /v1/vacancies/{id}":  {auth.Counsellor, auth.Employer},
				"GET /v1/placements":      {auth.Counsellor, auth.Employer},
				"GET /v1/placements/{id}": {auth.Counsellor, auth.Employer},
				// The link's token is the employer's only credential.
				"GET /v1/employer-links/{id}":  {},
				"POST /v1/employer-links/{id}": {},
			},
			shared: map[string]string{
				"GET /v1/vacancies/{id}":            "vacancies are open to every counsellor",
				"GET /v1/vacancies/{id}/candidates": "ranks the caller's own organisation's candidates",
				"GET /v1/vacancies/{id}/proposals":  "lists the caller's own organisation's proposals",
			},
			param: func(route, _ string) string {
				switch {
				case strings.Contains(route, "/v1/profiles/"):
					return person
				case strings.Contains(route, "/v1/vacancies/"):
					return d.Jobs.CookVacancyID
				case strings.Contains(route, "/v1/placements/"), strings.Contains(route, "/v1/employer-links/"):
					return d.Jobs.PlacementID
				case strings.Contains(route, "/v1/employers/"):
					return "emp-trattoria-gino"
				}
				return "unknown"
			},
		},
	}
}

// principal is a user of the demo's organisation org with role, named
// after it: the services check role and organisation, not the user.
func principal(role auth.Role, org string) auth.Principal {
	return auth.Principal{Subject: "hostile-" + string(role), Role: role, Organisation: org}
}

func TestHostileInputs(t *testing.T) {
	ctx := t.Context()
	sys, err := allinone.Start(ctx, allinone.Config{Dir: t.TempDir(), Demo: true, NoTableScan: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sys.Close(); err != nil {
			t.Error(err)
		}
	})
	dbs := []*mongo.Database{sys.Courses.DB, sys.Training.DB, sys.Pathway.DB, sys.Housing.DB, sys.Jobs.DB, sys.Web.DB}
	brokers := sys.Stack.KafkaBrokers()
	before := settled(ctx, t, dbs, brokers)
	start := time.Now()

	otherKey, err := auth.NewHMAC([]byte("not-the-signing-key-of-percorsi-at-all"))
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	sent := 0
	for _, svc := range services(sys) {
		ops := operations(t, repoFile(filepath.Join("services", svc.name, "openapi.yaml")))
		routes := routesIn(t, repoFile(filepath.Join("services", svc.name, "transport_http.go")))
		for r := range svc.shared {
			if !slices.Contains(routes, r) {
				t.Errorf("%s: shared route %s is no route", svc.name, r)
			}
		}
		for _, route := range routes {
			cases := svc.cases(t, sys.Issuer, otherKey, route, ops[route])
			if len(cases) == 0 {
				t.Errorf("%s %s: no hostile case", svc.name, route)
			}
			if raceDetector {
				cases = sampled(cases, sent)
			}
			parallel(cases, func(c request) {
				status, where, err := send(ctx, client, svc.url, c)
				switch {
				case err != nil:
					t.Errorf("%s %s, %s: %v", svc.name, route, c.name, err)
				case status < 400 || status > 499:
					t.Errorf("%s %s, %s: status %d%s, want a 4xx", svc.name, route, c.name, status, where)
				}
			})
			sent += len(cases)
			if !raceDetector {
				before = checkNothingLeft(ctx, t, dbs, brokers, before, svc.name+" "+route)
			}
		}
		// Under the race detector the embedded store reads every document
		// some ten times slower: one look per service.
		before = checkNothingLeft(ctx, t, dbs, brokers, before, svc.name)
	}
	sent += webCases(ctx, t, sys, client, dbs, brokers, &before)
	t.Logf("%d hostile requests refused in %s", sent, time.Since(start).Round(time.Second))
}

// cases builds every hostile request of one route.
func (s service) cases(t *testing.T, issuer, other *auth.HMAC, route string, op operation) []request {
	method, path, _ := strings.Cut(route, " ")
	allowed, ok := s.roles[route]
	if !ok {
		allowed = s.defaults
	}
	ownerRole := auth.CaseWorker // an open route: any signed-in user
	if len(allowed) > 0 {
		ownerRole = allowed[0]
	}
	owner := principal(ownerRole, s.owner)
	issue := func(p auth.Principal) string {
		tok, err := issuer.Issue(p, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	ownerToken := issue(owner)
	var body any
	if op.Body != nil {
		body = example(op.Body)
	} else if method != http.MethodGet {
		body = map[string]any{}
	}
	exampleBody := ""
	if body != nil {
		exampleBody = mustJSON(body)
	}
	realPath := fill(path, func(name string) string { return s.param(route, name) })
	query := url.Values{}
	for _, q := range op.Query {
		query.Set(q, "x")
	}
	var cases []request
	if method != http.MethodGet {
		for _, c := range bodyCases(body, ownerToken) {
			c.path = fill(path, func(string) string { return "no-such-id" })
			cases = append(cases, c)
		}
	}
	if method != http.MethodGet || strings.Contains(path, "{") || len(op.Query) > 0 {
		cases = append(cases, stringCases(path, op.Query, body, ownerToken)...)
	}

	bad, err := badTokens(issuer, other, owner)
	if err != nil {
		t.Fatal(err)
	}
	auths := []request{
		{kind: "token", name: "no token"},
		{kind: "token", name: "not a token", token: "not.a.token"},
		{kind: "token", name: "forged signature", token: bad.forged},
		{kind: "token", name: "expired token", token: bad.expired},
		{kind: "token", name: "unsigned token (alg none)", token: bad.unsigned},
	}
	for _, role := range allRoles {
		if len(allowed) > 0 && !slices.Contains(allowed, role) {
			auths = append(auths, request{kind: "role", name: "role " + string(role), token: issue(principal(role, s.owner))})
		}
	}
	if _, shared := s.shared[route]; strings.Contains(path, "{") && !shared {
		for _, role := range allowed {
			auths = append(auths, request{kind: "organisation", name: "another organisation's " + string(role), token: issue(principal(role, "org-intruder"))})
		}
	}
	if len(allowed) == 0 {
		// An open route: its credential is in the query or body, forged here.
		auths = auths[:1]
		auths[0].name = "forged link token"
		query.Set("token", bad.forged)
	}
	for _, a := range auths {
		a.method, a.path, a.query, a.body = method, realPath, query, exampleBody
		cases = append(cases, a)
	}
	for i := range cases {
		cases[i].method = method
	}
	return cases
}

// sampled keeps one case of each kind, a different one for each n. Under
// the race detector (make test) every request costs some ten times more:
// each route still meets every kind of hostile input, and the table's
// values are spread over the routes; without it (go test ./e2e/hostile)
// every route meets every value.
func sampled(cases []request, n int) []request {
	byKind := map[string][]request{}
	var kinds []string
	for _, c := range cases {
		if _, ok := byKind[c.kind]; !ok {
			kinds = append(kinds, c.kind)
		}
		byKind[c.kind] = append(byKind[c.kind], c)
	}
	out := make([]request, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, byKind[k][n%len(byKind[k])])
	}
	return out
}

// send makes one request and returns its status, and where a redirect
// leads.
func send(ctx context.Context, client *http.Client, base string, c request) (int, string, error) {
	u := base + c.path
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u, strings.NewReader(c.body))
	if err != nil {
		return 0, "", err
	}
	switch {
	case c.contentType != "":
		req.Header.Set("Content-Type", c.contentType)
	case c.body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if loc := resp.Header.Get("Location"); loc != "" {
		return resp.StatusCode, " to " + loc, nil
	}
	return resp.StatusCode, "", nil
}

// parallel runs do for every case, a few at a time: the services serve
// concurrent users, and one at a time the test would outlast make test's
// patience.
func parallel[C any](cases []C, do func(C)) {
	var wg sync.WaitGroup
	next := make(chan C)
	for range 4 {
		wg.Go(func() {
			for c := range next {
				do(c)
			}
		})
	}
	for _, c := range cases {
		next <- c
	}
	close(next)
	wg.Wait()
}

// settled waits until the demo's events have all been relayed and
// consumed, and their people's alerts checked, so that what follows is the
// hostile requests' doing alone: nothing may change for longer than
// pathway's alert check period (2 s), which acts on the people whose facts
// arrived. Once the store answered by index, a second of calm was often
// followed by that check.
func settled(ctx context.Context, t *testing.T, dbs []*mongo.Database, brokers []string) state {
	t.Helper()
	prev := snapshot(ctx, t, dbs, brokers)
	deadline := time.Now().Add(60 * time.Second)
	for stable := 0; stable < 6; {
		time.Sleep(500 * time.Millisecond)
		cur := snapshot(ctx, t, dbs, brokers)
		if len(prev.diff(cur)) == 0 {
			stable++
		} else {
			stable = 0
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo never settled: %v", prev.diff(cur))
		}
		prev = cur
	}
	return prev
}

// checkNothingLeft fails when the requests of what left a trace, after a
// moment for a relay or consumer to act on it, and returns the state now.
func checkNothingLeft(ctx context.Context, t *testing.T, dbs []*mongo.Database, brokers []string, before state, what string) state {
	t.Helper()
	after := snapshot(ctx, t, dbs, brokers)
	if d := before.diff(after); len(d) > 0 {
		t.Errorf("%s left something behind:\n  %s", what, strings.Join(d, "\n  "))
		return settled(ctx, t, dbs, brokers)
	}
	return after
}
