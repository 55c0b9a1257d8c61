package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/percorsi/percorsi/deploy/allinone"
	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/services/pathway"
)

// Who the journey follows, as told at intake. None of it may appear on
// Kafka, in a log line, or in clear in any store of any service.
var journeyPersonal = map[string]any{
	"legal_name": "Adaeze Nwosu-Bellini", "birth_date": "1998-07-21", "nationality": "NG", "languages": []string{"en", "ig"},
	"phone": "+39 347 5550199", "email": "adaeze.nwosu@example.net",
	"documents": []map[string]any{{"kind": "passport", "number": "B98765432", "expires_on": "2031-03-01"}},
}

var journeySecrets = []string{"Adaeze", "Nwosu", "1998-07-21", "347 5550199", "5550199", "adaeze.nwosu", "B98765432"}

// The organisation's name for her: shown to its own staff, never on Kafka
// or in a log line.
const journeyName = "Stella Alpina"

// journey drives the whole system through the services' HTTP APIs, as
// their users would.
type journey struct {
	t      *testing.T
	sys    *allinone.System
	tokens map[string]string
	today  time.Time // midnight UTC
	// streakFrom is the lesson of the Italian class where her absences
	// in a row began.
	streakFrom string
}

// Users of the journey, each of the organisation their role works for.
var journeyUsers = map[string]auth.Principal{
	"case worker":       {Subject: "cw-aurora", Role: auth.CaseWorker, Organisation: "coop-aurora"},
	"other case worker": {Subject: "cw-stella", Role: auth.CaseWorker, Organisation: "coop-stella"},
	"cpia coordinator":  {Subject: "coord-cpia", Role: auth.Coordinator, Organisation: "cpia-roma"},
	"teacher":           {Subject: "teacher-cpia", Role: auth.Teacher, Organisation: "cpia-roma"},
	"cfp coordinator":   {Subject: "coord-cfp", Role: auth.Coordinator, Organisation: "cfp-lazio"},
	"trainer":           {Subject: "trainer-cfp", Role: auth.Trainer, Organisation: "cfp-lazio"},
	"counsellor":        {Subject: "counsellor-aurora", Role: auth.Counsellor, Organisation: "coop-aurora"},
	"housing worker":    {Subject: "housing-aurora", Role: auth.HousingWorker, Organisation: "coop-aurora"},
	"monitor":           {Subject: "monitor-region", Role: auth.Monitoring, Organisation: "regione-lazio"},
}

// journeyLog collects every log line of every service.
type journeyLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *journeyLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *journeyLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// day is n days from today, as a date.
func (j *journey) day(n int) string { return j.today.AddDate(0, 0, n).Format(time.DateOnly) }

// at is 9:00 UTC n days from today, as a timestamp.
func (j *journey) at(n int, hour int) string {
	return j.today.AddDate(0, 0, n).Add(time.Duration(hour) * time.Hour).Format(time.RFC3339)
}

// call sends body as user to url and decodes a 2xx answer into out; it
// returns the status.
func (j *journey) call(method, url, user string, body, out any) int {
	j.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			j.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(j.t.Context(), method, url, rd)
	if err != nil {
		j.t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+j.tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		j.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		j.t.Fatal(err)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			j.t.Fatalf("%s %s: %v in %s", method, url, err, b)
		}
	}
	if resp.StatusCode >= 300 {
		j.t.Logf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	return resp.StatusCode
}

// must is call that fails the test unless the answer is a 2xx.
func (j *journey) must(method, url, user string, body, out any) {
	j.t.Helper()
	if status := j.call(method, url, user, body, out); status >= 300 {
		j.t.Fatalf("%s %s as %s: %d", method, url, user, status)
	}
}

// eventually waits up to two minutes for ok, which says what it waits for.
func (j *journey) eventually(what string, ok func() (bool, string)) {
	j.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		done, got := ok()
		if done {
			return
		}
		if time.Now().After(deadline) {
			j.t.Fatalf("waited two minutes for %s; last: %s", what, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A person taken in charge, in an Italian course with its registers, in a
// vocational course through to the qualification, placed and confirmed by
// the employer's link, housed then with a lease of her own, the permit
// converted and the pathway closed as autonomous, all through the
// services' HTTP APIs over the real Kafka and MongoDB protocols: the
// timeline, the autonomy stage over time and the alerts are exactly as
// expected. Along the whole run no personal data reaches a Kafka message,
// a log line or a store in clear; another organisation's case worker gets
// 403 and an audit entry; erasure leaves nothing personal to read;
// monitoring never shows a cell under 5; replay rebuilds the same.
func TestPathwayJourney(t *testing.T) {
	logs := &journeyLog{}
	sys, err := allinone.Start(t.Context(), allinone.Config{
		Dir:         t.TempDir(),
		NoTableScan: true,
		Logger:      slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sys.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	j := &journey{t: t, sys: sys, tokens: map[string]string{}, today: time.Now().UTC().Truncate(24 * time.Hour)}
	for name, p := range journeyUsers {
		if j.tokens[name], err = sys.Issuer.Issue(p, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	pw := sys.PathwayURL

	// Intake, and the art. 18 permit: it ends in 20 days and nothing yet
	// supports its conversion, so an alert is raised at once.
	var person pathway.PersonJSON
	j.must("POST", pw+"/v1/persons", "case worker", map[string]any{
		"display_name": journeyName, "programme": "art18", "referral": "police", "territory": "IT-LAZ", "since": j.day(-200),
		"personal": journeyPersonal, "consents": []string{"data_processing"},
	}, &person)
	ps := person.Pseudonym
	j.must("POST", pw+"/v1/persons/"+ps+"/permits", "case worker", map[string]any{
		"kind": "special_cases_art18", "valid_from": j.day(-180), "valid_until": j.day(20), "may_work": true,
	}, nil)
	j.must("PUT", pw+"/v1/persons/"+ps+"/plan", "case worker", map[string]any{"goals": []map[string]any{
		{"domain": "italian", "title": "A2", "follow_by": "cpia-roma"},
		{"domain": "training", "title": "Qualifica di aiuto cuoco", "follow_by": "cfp-lazio"},
		{"domain": "work", "title": "Lavoro in cucina", "follow_by": "counsellor-aurora"},
		{"domain": "housing", "title": "Casa in affitto", "follow_by": "housing-aurora"},
	}}, nil)

	j.italian(ps)
	j.training(ps)
	j.work(ps)
	j.housing(ps)

	// The case worker acknowledges and resolves the absence alert, then
	// records the permit converted for work and closes the pathway.
	var alerts struct{ Alerts []pathway.AlertJSON }
	j.eventually("the absence alert", func() (bool, string) {
		j.must("GET", pw+"/v1/persons/"+ps+"/alerts", "case worker", nil, &alerts)
		for _, a := range alerts.Alerts {
			if a.Kind == "absence_streak" {
				return true, ""
			}
		}
		return false, fmt.Sprint(alerts.Alerts)
	})
	streak := "absence_streak:cl-it-a2:" + j.streakFrom
	// Her line in the caseload: the open alert, the permit and its end.
	j.eventually("her line in the caseload", func() (bool, string) {
		var cl struct{ Persons []pathway.CaseloadJSON }
		j.must("GET", pw+"/v1/persons", "case worker", nil, &cl)
		if len(cl.Persons) != 1 {
			return false, fmt.Sprint(cl.Persons)
		}
		p := cl.Persons[0]
		return p.Pseudonym == ps && p.DisplayName == journeyName && p.Stage == "integrating" && p.OpenAlerts == 1 &&
			p.MostUrgent == "absence_streak" && p.PermitKind == "special_cases_art18" && p.PermitUntil == j.day(20), fmt.Sprintf("%+v", p)
	})
	j.must("POST", pw+"/v1/persons/"+ps+"/alerts/"+streak+"/acknowledge", "case worker", map[string]any{}, nil)
	j.must("POST", pw+"/v1/persons/"+ps+"/alerts/"+streak+"/resolve", "case worker", map[string]any{"note": "ha ripreso a frequentare"}, nil)
	j.must("POST", pw+"/v1/persons/"+ps+"/permits", "case worker", map[string]any{
		"kind": "work_employed", "converted_from": "special_cases_art18", "valid_from": j.day(0), "valid_until": j.day(730), "may_work": true,
	}, nil)
	j.must("POST", pw+"/v1/persons/"+ps+"/close", "case worker", map[string]any{"reason": "autonomy_reached", "on": j.day(0)}, nil)

	j.checkJourney(ps)
	j.checkPrivacy(ps, logs)
}
