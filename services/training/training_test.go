package training_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/pkg/process"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
	"github.com/percorsi/percorsi/services/training"
)

const key = "test-signing-key-of-at-least-32-bytes"

type fixture struct {
	app     *training.App
	srv     *httptest.Server
	brokers []string
	tokens  map[string]string
	now     time.Time
}

// start runs the training service on the embedded stack, over HTTP with
// signed tokens, with a coordinator of the provider "enaip" and two of its
// trainers, a coordinator of another provider and a case worker.
func start(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	stack := devstacktest.Start(t, training.Topic)
	app, err := training.Open(ctx, process.Config{MongoURI: stack.MongoURI(), KafkaBrokers: stack.KafkaBrokers(), TokenKey: key}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Client.Disconnect(context.WithoutCancel(ctx)) })
	issuer, err := auth.NewHMAC([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for name, p := range map[string]auth.Principal{
		"coordinator": {Subject: "coord", Role: auth.Coordinator, Organisation: "enaip"},
		"trainer":     {Subject: "tr1", Role: auth.Trainer, Organisation: "enaip"},
		"other":       {Subject: "tr2", Role: auth.Trainer, Organisation: "enaip"},
		"foreign":     {Subject: "coord2", Role: auth.Coordinator, Organisation: "cfp-other"},
		"caseworker":  {Subject: "cw", Role: auth.CaseWorker, Organisation: "org1"},
	} {
		if tokens[name], err = issuer.Issue(p, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(app.Handler(app.API))
	t.Cleanup(srv.Close)
	return &fixture{app: app, srv: srv, brokers: stack.KafkaBrokers(), tokens: tokens, now: time.Now().UTC()}
}

// call sends body (JSON, or nothing) as user and returns the status and the
// raw response.
func (f *fixture) call(t *testing.T, user, method, path, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, f.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// must calls and fails the test unless the status is want.
func (f *fixture) must(t *testing.T, want int, user, method, path, body string) []byte {
	t.Helper()
	status, b := f.call(t, user, method, path, body)
	if status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, status, b, want)
	}
	return b
}

const course = `{
  "title": "Operatore della ristorazione: aiuto cuoco", "repertoire_code": "LAZ-AC-0312", "region": "Lazio",
  "sector": "ristorazione", "provider": "enaip", "eqf_level": 3,
  "esco_occupation": "http://data.europa.eu/esco/occupation/kitchen-assistant",
  "modules": [
    {"id": "haccp", "title": "Igiene e HACCP", "kind": "theory", "hours": 4},
    {"id": "cucina", "title": "Laboratorio di cucina", "kind": "practice", "hours": 4},
    {"id": "stage", "title": "Tirocinio", "kind": "internship", "hours": 8}
  ],
  "units": [
    {"code": "UC1", "title": "Igiene alimentare", "esco_skills": ["http://data.europa.eu/esco/skill/food-safety"]},
    {"code": "UC2", "title": "Preparazione di base", "esco_skills": ["http://data.europa.eu/esco/skill/prepare-vegetables", "http://data.europa.eu/esco/skill/food-safety"]}
  ]
}`

// setUp stores the course and an edition taught by tr1, with a theory
// lesson 20 days ago, a practice lesson 10 days ago and one tomorrow, and
// enrols three people.
func (f *fixture) setUp(t *testing.T) {
	t.Helper()
	f.must(t, 200, "coordinator", "PUT", "/v1/courses/aiuto-cuoco", course)
	at := func(days int) string { return f.now.AddDate(0, 0, days).Format(time.RFC3339) }
	edition := fmt.Sprintf(`{"course_id":"aiuto-cuoco","trainers":["tr1"],"start":%q,"end":%q,"lessons":[
		{"id":"l1","module_id":"haccp","start":%q,"minutes":240},
		{"id":"l2","module_id":"cucina","start":%q,"minutes":240},
		{"id":"l3","module_id":"cucina","start":%q,"minutes":240}]}`, at(-30), at(60), at(-20), at(-10), at(1))
	f.must(t, 201, "coordinator", "PUT", "/v1/editions/ed1", edition)
	for _, p := range [][2]string{{"p1", "Amina K."}, {"p2", "Joy O."}, {"p3", "Grace N."}} {
		f.must(t, 200, "trainer", "POST", "/v1/editions/ed1/enrolments", fmt.Sprintf(`{"person":%q,"display_name":%q}`, p[0], p[1]))
	}
}

func (f *fixture) day(days int) string { return f.now.AddDate(0, 0, days).Format(time.DateOnly) }

func TestLifecycle(t *testing.T) {
	f := start(t)
	f.setUp(t)
	f.must(t, 409, "trainer", "POST", "/v1/editions/ed1/enrolments", `{"person":"p1","display_name":"Amina K."}`)

	// Registers, retried safely; a suspended person leaves the register.
	reg1 := `{"marks":[{"person":"p1","status":"present"},{"person":"p2","status":"late","minutes":120},{"person":"p3","status":"absent"}]}`
	f.must(t, 201, "trainer", "PUT", "/v1/lessons/l1/register", reg1)
	f.must(t, 200, "trainer", "PUT", "/v1/lessons/l1/register", reg1)
	f.must(t, 200, "trainer", "POST", "/v1/editions/ed1/enrolments/p3/suspend", `{"note":"udienza in tribunale"}`)
	f.must(t, 201, "trainer", "PUT", "/v1/lessons/l2/register", `{"marks":[{"person":"p1","status":"present"},{"person":"p2","status":"present"}]}`)
	f.must(t, 200, "trainer", "POST", "/v1/editions/ed1/enrolments/p3/resume", "")

	// Internships at a host restaurant.
	intern := `{"module_id":"stage","host_id":"trattoria-da-enzo","host_name":"Trattoria da Enzo","tutor":"Enzo Rossi","planned_hours":8}`
	f.must(t, 200, "trainer", "PUT", "/v1/editions/ed1/enrolments/p1/internship", intern)
	f.must(t, 200, "trainer", "PUT", "/v1/editions/ed1/enrolments/p2/internship", intern)
	for _, d := range []int{-5, -4} {
		f.must(t, 200, "trainer", "POST", "/v1/editions/ed1/enrolments/p1/internship/days", fmt.Sprintf(`{"day":%q,"minutes":240}`, f.day(d)))
	}
	f.must(t, 200, "trainer", "POST", "/v1/editions/ed1/enrolments/p1/internship/days", fmt.Sprintf(`{"day":%q,"minutes":240}`, f.day(-4)))
	f.must(t, 409, "trainer", "POST", "/v1/editions/ed1/enrolments/p1/internship/days", fmt.Sprintf(`{"day":%q,"minutes":200}`, f.day(-4)))
	f.must(t, 200, "trainer", "POST", "/v1/editions/ed1/enrolments/p2/internship/days", fmt.Sprintf(`{"day":%q,"minutes":240}`, f.day(-5)))
	f.must(t, 200, "trainer", "PUT", "/v1/editions/ed1/enrolments/p1/internship/evaluation", `{"rating":4,"note":"puntuale, precisa"}`)

	for _, m := range []string{"haccp", "cucina", "stage"} {
		f.must(t, 200, "trainer", "POST", "/v1/editions/ed1/modules/"+m+"/close", "")
	}
	f.must(t, 409, "trainer", "POST", "/v1/editions/ed1/modules/stage/close", "")

	// p1 attended 240+240 and did 480 of internship: 960 of 960 minutes.
	// p2 has 120+240+240 = 600, short of the 70% (672): not admitted.
	status, b := f.call(t, "trainer", "POST", "/v1/editions/ed1/exam", fmt.Sprintf(`{"held_on":%q,"results":[{"person":"p2","outcome":"failed","score":40}]}`, f.day(0)))
	if e := errorOf(t, b); status != 400 || e.Error.Field != "results[0].person" {
		t.Fatalf("exam of someone not admitted: %d %s", status, b)
	}
	f.must(t, 200, "trainer", "POST", "/v1/editions/ed1/exam", fmt.Sprintf(`{"held_on":%q,"results":[{"person":"p1","outcome":"passed","score":85}]}`, f.day(0)))
	f.must(t, 200, "trainer", "POST", "/v1/editions/ed1/enrolments/p2/withdraw", `{"reason":"work","note":"assunta altrove","units_certified":["UC1"]}`)
	f.must(t, 200, "coordinator", "POST", "/v1/editions/ed1/enrolments/p3/withdraw", `{"reason":"no_show"}`)
	f.must(t, 409, "coordinator", "POST", "/v1/editions/ed1/enrolments/p3/withdraw", `{"reason":"no_show"}`)

	var view training.EditionViewResponse
	if err := json.Unmarshal(f.must(t, 200, "trainer", "GET", "/v1/editions/ed1", ""), &view); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, en := range view.Edition.Roster {
		got = append(got, fmt.Sprintf("%s %s %d %v %v %v", en.Person, en.Status, *en.MinutesAttended, *en.Admitted, en.Qualified, en.CertifiedUnits))
	}
	want := []string{"p1 completed 960 true true [UC1 UC2]", "p2 withdrawn 600 false false [UC1]", "p3 withdrawn 0 false false []"}
	if !slices.Equal(got, want) {
		t.Fatalf("roster\n got %q\nwant %q", got, want)
	}

	roster := readCSV(t, f.must(t, 200, "coordinator", "GET", "/v1/editions/ed1/roster.csv", ""))
	if len(roster) != 4 || !slices.Equal(roster[1][:4], []string{"p1", "Amina K.", "completed", "480"}) || roster[1][7] != "passed" {
		t.Fatalf("roster export: %q", roster)
	}
	registers := readCSV(t, f.must(t, 200, "trainer", "GET", "/v1/editions/ed1/registers.csv", ""))
	if len(registers) != 6 || !slices.Equal(registers[2][4:8], []string{"p2", "Joy O.", "late", "120"}) {
		t.Fatalf("registers export: %q", registers)
	}

	// Every fact reached Kafka once, keyed by pseudonym, with no name.
	n, err := f.app.Relay.Drain(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	msgs := readTopic(t, f.brokers, n)
	count := map[string]int{}
	for _, m := range msgs {
		for _, secret := range []string{"Amina", "Joy", "Grace", "Enzo", "tribunale", "assunta"} {
			if bytes.Contains(m.Value, []byte(secret)) || bytes.Contains(m.Key, []byte(secret)) {
				t.Fatalf("event carries personal data %q", secret)
			}
		}
		ev, err := events.Unmarshal(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Key) != ev.Person || !strings.HasPrefix(ev.Person, "p") {
			t.Fatalf("event keyed %q for person %q", m.Key, ev.Person)
		}
		count[ev.Type]++
		if q, ok := ev.Payload.(*trainingv1.QualificationAwarded); ok {
			if q.RepertoireCode != "LAZ-AC-0312" || q.EqfLevel != 3 || len(q.EscoSkills) != 2 || ev.Person != "p1" {
				t.Fatalf("qualification %v for %s", q, ev.Person)
			}
		}
	}
	wantCount := map[string]int{
		"percorsi.training.v1.EnrolledInTraining": 3, "percorsi.training.v1.AttendanceRecorded": 5,
		"percorsi.training.v1.InternshipHoursRecorded": 3, "percorsi.training.v1.ModuleCompleted": 9,
		"percorsi.training.v1.ExamTaken": 1, "percorsi.training.v1.QualificationAwarded": 1,
		"percorsi.training.v1.CompetencesCertified": 1, "percorsi.training.v1.TrainingWithdrawn": 2,
	}
	if fmt.Sprint(count) != fmt.Sprint(wantCount) {
		t.Fatalf("events\n got %v\nwant %v", count, wantCount)
	}
}

func TestBadInputIsRejectedNamingTheFieldAndNothingStored(t *testing.T) {
	f := start(t)
	f.setUp(t)
	f.must(t, 200, "trainer", "PUT", "/v1/editions/ed1/enrolments/p1/internship", `{"module_id":"stage","host_id":"h1","host_name":"Trattoria","tutor":"T.","planned_hours":8}`)
	if _, err := f.app.Relay.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	before := f.snapshot(t)

	goodCourse := strings.Replace(course, `"provider": "enaip"`, `"provider": "enaip"`, 1)
	swap := func(old, new string) string { return strings.Replace(goodCourse, old, new, 1) }
	future := f.now.AddDate(0, 0, 5).Format(time.DateOnly)
	cases := []struct {
		name, user, method, path, body string
		status                         int
		field                          string
	}{
		{"course: malformed", "coordinator", "PUT", "/v1/courses/x", `{"title":`, 400, "body"},
		{"course: unknown field", "coordinator", "PUT", "/v1/courses/x", `{"colour":"red"}`, 400, "colour"},
		{"course: no repertoire code", "coordinator", "PUT", "/v1/courses/x", swap(`"LAZ-AC-0312"`, `""`), 400, "repertoire_code"},
		{"course: EQF 9", "coordinator", "PUT", "/v1/courses/x", swap(`"eqf_level": 3`, `"eqf_level": 9`), 400, "eqf_level"},
		{"course: module kind", "coordinator", "PUT", "/v1/courses/x", swap(`"kind": "practice"`, `"kind": "lab"`), 400, "modules[1].kind"},
		{"course: module hours type", "coordinator", "PUT", "/v1/courses/x", swap(`"hours": 8`, `"hours": "8"`), 400, "modules[2].hours"},
		{"course: not an ESCO skill", "coordinator", "PUT", "/v1/courses/x", swap(`"http://data.europa.eu/esco/skill/prepare-vegetables"`, `"cooking"`), 400, "units[1].esco_skills[0]"},
		{"course: attendance share", "coordinator", "PUT", "/v1/courses/x", swap(`"eqf_level": 3`, `"eqf_level": 3, "min_attendance_bp": 20000`), 400, "min_attendance_bp"},
		{"course: another provider", "foreign", "PUT", "/v1/courses/x", goodCourse, 403, "provider"},
		{"course: a trainer", "trainer", "PUT", "/v1/courses/x", goodCourse, 403, ""},
		{"edition: no trainers", "coordinator", "PUT", "/v1/editions/ed2", `{"course_id":"aiuto-cuoco","trainers":[],"start":"2026-01-01T00:00:00Z","end":"2026-06-01T00:00:00Z"}`, 400, "trainers"},
		{"edition: bad start", "coordinator", "PUT", "/v1/editions/ed2", `{"course_id":"aiuto-cuoco","trainers":["tr1"],"start":"1 Jan","end":"2026-06-01T00:00:00Z"}`, 400, "start"},
		{"edition: end first", "coordinator", "PUT", "/v1/editions/ed2", `{"course_id":"aiuto-cuoco","trainers":["tr1"],"start":"2026-06-01T00:00:00Z","end":"2026-01-01T00:00:00Z"}`, 400, "end"},
		{"edition: unknown course", "coordinator", "PUT", "/v1/editions/ed2", `{"course_id":"nope","trainers":["tr1"],"start":"2026-01-01T00:00:00Z","end":"2026-06-01T00:00:00Z"}`, 404, "course_id"},
		{"edition: lesson of internship", "coordinator", "PUT", "/v1/editions/ed2", `{"course_id":"aiuto-cuoco","trainers":["tr1"],"start":"2026-01-01T00:00:00Z","end":"2026-06-01T00:00:00Z","lessons":[{"id":"x1","module_id":"stage","start":"2026-02-01T09:00:00Z","minutes":60}]}`, 400, "lessons[0].module_id"},
		{"edition: lesson outside", "coordinator", "PUT", "/v1/editions/ed2", `{"course_id":"aiuto-cuoco","trainers":["tr1"],"start":"2026-01-01T00:00:00Z","end":"2026-06-01T00:00:00Z","lessons":[{"id":"x1","module_id":"haccp","start":"2027-02-01T09:00:00Z","minutes":60}]}`, 400, "lessons[0].start"},
		{"edition: lesson id taken", "coordinator", "PUT", "/v1/editions/ed2", `{"course_id":"aiuto-cuoco","trainers":["tr1"],"start":"2026-01-01T00:00:00Z","end":"2026-06-01T00:00:00Z","lessons":[{"id":"new1","module_id":"haccp","start":"2026-02-01T09:00:00Z","minutes":60},{"id":"l1","module_id":"haccp","start":"2026-02-02T09:00:00Z","minutes":60}]}`, 409, "lessons[1].id"},
		{"edition: exists", "coordinator", "PUT", "/v1/editions/ed1", `{"course_id":"aiuto-cuoco","trainers":["tr1"],"start":"2026-01-01T00:00:00Z","end":"2026-06-01T00:00:00Z"}`, 409, "id"},
		{"enrol: no display name", "trainer", "POST", "/v1/editions/ed1/enrolments", `{"person":"p9"}`, 400, "display_name"},
		{"enrol: no token", "", "POST", "/v1/editions/ed1/enrolments", `{"person":"p9","display_name":"X"}`, 401, "authorization"},
		{"enrol: another trainer", "other", "POST", "/v1/editions/ed1/enrolments", `{"person":"p9","display_name":"X"}`, 403, "edition_id"},
		{"enrol: another provider", "foreign", "POST", "/v1/editions/ed1/enrolments", `{"person":"p9","display_name":"X"}`, 403, "edition_id"},
		{"enrol: a case worker", "caseworker", "POST", "/v1/editions/ed1/enrolments", `{"person":"p9","display_name":"X"}`, 403, ""},
		{"enrol: unknown edition", "trainer", "POST", "/v1/editions/nope/enrolments", `{"person":"p9","display_name":"X"}`, 404, "edition_id"},
		{"suspend: no note", "trainer", "POST", "/v1/editions/ed1/enrolments/p1/suspend", `{}`, 400, "note"},
		{"suspend: unknown person", "trainer", "POST", "/v1/editions/ed1/enrolments/p9/suspend", `{"note":"x"}`, 404, "person"},
		{"resume: not suspended", "trainer", "POST", "/v1/editions/ed1/enrolments/p1/resume", ``, 409, "person"},
		{"withdraw: bad reason", "trainer", "POST", "/v1/editions/ed1/enrolments/p1/withdraw", `{"reason":"bored"}`, 400, "reason"},
		{"withdraw: unknown unit", "trainer", "POST", "/v1/editions/ed1/enrolments/p1/withdraw", `{"reason":"work","units_certified":["UC9"]}`, 400, "units_certified[0]"},
		{"withdraw: every unit", "trainer", "POST", "/v1/editions/ed1/enrolments/p1/withdraw", `{"reason":"work","units_certified":["UC1","UC2"]}`, 400, "units_certified"},
		{"internship: not an internship module", "trainer", "PUT", "/v1/editions/ed1/enrolments/p2/internship", `{"module_id":"haccp","host_id":"h1","host_name":"T","tutor":"T","planned_hours":8}`, 400, "module_id"},
		{"internship: no tutor", "trainer", "PUT", "/v1/editions/ed1/enrolments/p2/internship", `{"module_id":"stage","host_id":"h1","host_name":"T","planned_hours":8}`, 400, "tutor"},
		{"internship: too many hours", "trainer", "PUT", "/v1/editions/ed1/enrolments/p2/internship", `{"module_id":"stage","host_id":"h1","host_name":"T","tutor":"T","planned_hours":80}`, 400, "planned_hours"},
		{"hours: bad day", "trainer", "POST", "/v1/editions/ed1/enrolments/p1/internship/days", `{"day":"yesterday","minutes":60}`, 400, "day"},
		{"hours: future day", "trainer", "POST", "/v1/editions/ed1/enrolments/p1/internship/days", `{"day":"` + future + `","minutes":60}`, 400, "day"},
		{"hours: zero minutes", "trainer", "POST", "/v1/editions/ed1/enrolments/p1/internship/days", `{"day":"` + f.day(-1) + `","minutes":0}`, 400, "minutes"},
		{"hours: beyond planned", "trainer", "POST", "/v1/editions/ed1/enrolments/p1/internship/days", `{"day":"` + f.day(-1) + `","minutes":600}`, 400, "minutes"},
		{"hours: no internship", "trainer", "POST", "/v1/editions/ed1/enrolments/p2/internship/days", `{"day":"` + f.day(-1) + `","minutes":60}`, 409, "person"},
		{"evaluation: before any hours", "trainer", "PUT", "/v1/editions/ed1/enrolments/p1/internship/evaluation", `{"rating":4}`, 409, "person"},
		{"close: unknown module", "trainer", "POST", "/v1/editions/ed1/modules/nope/close", ``, 404, "module_id"},
		{"exam: no date", "trainer", "POST", "/v1/editions/ed1/exam", `{"results":[]}`, 400, "held_on"},
		{"exam: future", "trainer", "POST", "/v1/editions/ed1/exam", `{"held_on":"` + future + `","results":[]}`, 400, "held_on"},
		{"exam: nobody", "trainer", "POST", "/v1/editions/ed1/exam", `{"held_on":"` + f.day(0) + `","results":[]}`, 400, "results"},
		{"exam: score type", "trainer", "POST", "/v1/editions/ed1/exam", `{"held_on":"` + f.day(0) + `","results":[{"person":"p1","outcome":"passed","score":"high"}]}`, 400, "results[0].score"},
		{"exam: not admitted", "trainer", "POST", "/v1/editions/ed1/exam", `{"held_on":"` + f.day(0) + `","results":[{"person":"p1","outcome":"passed","score":80}]}`, 400, "results[0].person"},
		{"exam: stranger", "trainer", "POST", "/v1/editions/ed1/exam", `{"held_on":"` + f.day(0) + `","results":[{"person":"p9","outcome":"passed","score":80}]}`, 400, "results[0].person"},
		{"register: unknown person", "trainer", "PUT", "/v1/lessons/l1/register", `{"marks":[{"person":"p1","status":"present"},{"person":"p2","status":"present"},{"person":"p3","status":"present"},{"person":"p9","status":"present"}]}`, 400, "marks[3].person"},
		{"register: someone missing", "trainer", "PUT", "/v1/lessons/l1/register", `{"marks":[{"person":"p1","status":"present"}]}`, 400, "marks"},
		{"register: minutes", "trainer", "PUT", "/v1/lessons/l1/register", `{"marks":[{"person":"p1","status":"late","minutes":999},{"person":"p2","status":"present"},{"person":"p3","status":"present"}]}`, 400, "marks[0].minutes"},
		{"register: status", "trainer", "PUT", "/v1/lessons/l1/register", `{"marks":[{"person":"p1","status":"asleep"},{"person":"p2","status":"present"},{"person":"p3","status":"present"}]}`, 400, "marks[0].status"},
		{"register: not yet held", "trainer", "PUT", "/v1/lessons/l3/register", `{"marks":[{"person":"p1","status":"present"},{"person":"p2","status":"present"},{"person":"p3","status":"present"}]}`, 400, "lesson_id"},
		{"register: another trainer", "other", "PUT", "/v1/lessons/l1/register", `{"marks":[{"person":"p1","status":"present"},{"person":"p2","status":"present"},{"person":"p3","status":"present"}]}`, 403, "lesson_id"},
		{"register: unknown lesson", "trainer", "PUT", "/v1/lessons/nope/register", `{"marks":[]}`, 404, "lesson_id"},
		{"export: another trainer", "other", "GET", "/v1/editions/ed1/roster.csv", ``, 403, "edition_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, b := f.call(t, tc.user, tc.method, tc.path, tc.body)
			e := errorOf(t, b)
			if status != tc.status || e.Error.Field != tc.field || e.Error.Message == "" {
				t.Fatalf("got %d %s, want %d naming %q", status, b, tc.status, tc.field)
			}
		})
	}
	if after := f.snapshot(t); after != before {
		t.Fatalf("bad input changed the store:\nbefore %s\nafter  %s", before, after)
	}
	if n, err := f.app.Relay.Drain(t.Context()); err != nil || n != 0 {
		t.Fatalf("events pending after bad input: %d, %v", n, err)
	}
}

// snapshot describes what is stored, outbox aside.
func (f *fixture) snapshot(t *testing.T) string {
	t.Helper()
	var out []string
	for _, coll := range []string{"courses", "editions", "lessons", "registers"} {
		cur, err := f.app.DB.Collection(coll).Find(t.Context(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.M
		if err := cur.All(t.Context(), &docs); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			delete(d, "outbox")
			delete(d, "outbox_pending")
			delete(d, "outbox_at")
			delete(d, "outbox_rev")
			b, err := json.Marshal(d) // sorts keys: FerretDB may return them in any order
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, coll+string(b))
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

func errorOf(t *testing.T, b []byte) httpkit.ErrorBody {
	t.Helper()
	var e httpkit.ErrorBody
	_ = json.Unmarshal(b, &e)
	return e
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func readTopic(t *testing.T, brokers []string, n int) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	rd := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, GroupID: "audit", Topic: training.Topic, StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer rd.Close()
	var out []kafka.Message
	for len(out) < n {
		m, err := rd.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read %d of %d events: %v", len(out), n, err)
		}
		out = append(out, m)
	}
	return out
}

// With the relay running as in production, every enrolment survives the
// relay clearing the edition's published events, and each reaches Kafka.
func TestEnrolmentsSurviveTheRunningRelay(t *testing.T) {
	f := start(t)
	f.setUp(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.app.Run(ctx, ln, f.app.API) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	f.srv.URL = "http://" + ln.Addr().String()
	const more = 15
	for i := range more {
		f.must(t, 200, "trainer", "POST", "/v1/editions/ed1/enrolments", fmt.Sprintf(`{"person":"q%d","display_name":"Q%d"}`, i, i))
	}
	var view training.EditionViewResponse
	if err := json.Unmarshal(f.must(t, 200, "trainer", "GET", "/v1/editions/ed1", ""), &view); err != nil {
		t.Fatal(err)
	}
	if n := len(view.Edition.Roster); n != 3+more {
		t.Fatalf("%d people on the roster, want %d", n, 3+more)
	}
	seen := map[string]bool{}
	for _, m := range readTopic(t, f.brokers, 3+more) {
		ev, err := events.Unmarshal(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		seen[ev.ID] = true
	}
	if len(seen) != 3+more {
		t.Fatalf("%d distinct enrolment events, want %d", len(seen), 3+more)
	}
}

// Each caller lists only the editions they may open.
func TestEditionsListedByScope(t *testing.T) {
	f := start(t)
	f.setUp(t)
	cases := []struct {
		user string
		want []string
	}{
		{"trainer", []string{"ed1"}},
		{"other", nil},
		{"coordinator", []string{"ed1"}},
		{"foreign", nil},
	}
	for _, tc := range cases {
		var list training.EditionsResponse
		if err := json.Unmarshal(f.must(t, 200, tc.user, "GET", "/v1/editions", ""), &list); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range list.Editions {
			got = append(got, e.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s lists %v, want %v", tc.user, got, tc.want)
		}
	}
	f.must(t, 403, "caseworker", "GET", "/v1/editions", "")
}

// A register line corrected with a reason keeps its history, counts in the
// person's minutes, and publishes one corrected mark; bad corrections are
// refused naming the field, and a closed module's registers are final.
func TestRegisterCorrection(t *testing.T) {
	f := start(t)
	f.setUp(t)
	f.must(t, 201, "trainer", "PUT", "/v1/lessons/l1/register", `{"marks":[{"person":"p1","status":"present"},{"person":"p2","status":"absent"},{"person":"p3","status":"present"}]}`)
	if _, err := f.app.Relay.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	before := f.snapshot(t)
	for _, tc := range []struct {
		name, user, body string
		status           int
		field            string
	}{
		{"no reason", "trainer", `{"marks":[{"person":"p2","status":"excused"}]}`, 400, "reason"},
		{"nobody", "trainer", `{"reason":"x","marks":[]}`, 400, "marks"},
		{"a stranger", "trainer", `{"reason":"x","marks":[{"person":"p9","status":"excused"}]}`, 400, "marks[0].person"},
		{"bad minutes", "trainer", `{"reason":"x","marks":[{"person":"p2","status":"late","minutes":999}]}`, 400, "marks[0].minutes"},
		{"nothing changes", "trainer", `{"reason":"x","marks":[{"person":"p1","status":"present"}]}`, 400, "marks"},
		{"another trainer", "other", `{"reason":"x","marks":[{"person":"p2","status":"excused"}]}`, 403, "lesson_id"},
	} {
		status, b := f.call(t, tc.user, "PATCH", "/v1/lessons/l1/register", tc.body)
		if e := errorOf(t, b); status != tc.status || e.Error.Field != tc.field {
			t.Errorf("%s: %d %s, want %d naming %q", tc.name, status, b, tc.status, tc.field)
		}
	}
	status, b := f.call(t, "trainer", "PATCH", "/v1/lessons/l2/register", `{"reason":"x","marks":[{"person":"p2","status":"excused"}]}`)
	if e := errorOf(t, b); status != 404 || e.Error.Field != "lesson_id" {
		t.Errorf("correction of an unrecorded register: %d %s", status, b)
	}
	if after := f.snapshot(t); after != before {
		t.Fatalf("refused corrections changed the store")
	}

	var resp training.RegisterResponse
	body := f.must(t, 200, "trainer", "PATCH", "/v1/lessons/l1/register", `{"reason":"arrivata in ritardo, non assente","marks":[{"person":"p2","status":"late","minutes":180}]}`)
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	if r := resp.Register; r.Revision != 2 || len(r.Corrections) != 1 || r.Corrections[0].From.Status != "absent" || r.Corrections[0].By != "tr1" || r.Marks[1].Minutes != 180 {
		t.Fatalf("corrected register %+v", r)
	}
	var view training.EditionViewResponse
	if err := json.Unmarshal(f.must(t, 200, "trainer", "GET", "/v1/editions/ed1", ""), &view); err != nil {
		t.Fatal(err)
	}
	if got := *view.Edition.Roster[1].MinutesAttended; got != 180 {
		t.Fatalf("p2 attended %d minutes after the correction, want 180", got)
	}
	n, err := f.app.Relay.Drain(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("correction published %d events (%v), want 1", n, err)
	}
	// 3 enrolments, 3 marks and the correction, across partitions.
	corrections := 0
	for _, m := range readTopic(t, f.brokers, 7) {
		ev, err := events.Unmarshal(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		if a, ok := ev.Payload.(*trainingv1.AttendanceRecorded); ok && a.Correction {
			corrections++
			if a.MinutesAttended != 180 || a.PreviousStatus.String() != "ATTENDANCE_STATUS_ABSENT" || ev.Person != "p2" || bytes.Contains(m.Value, []byte("ritardo")) {
				t.Fatalf("correction event %v for %s", a, ev.Person)
			}
		}
	}
	if corrections != 1 {
		t.Fatalf("%d correction events, want 1", corrections)
	}

	f.must(t, 200, "trainer", "POST", "/v1/editions/ed1/modules/haccp/close", "")
	status, b = f.call(t, "trainer", "PATCH", "/v1/lessons/l1/register", `{"reason":"x","marks":[{"person":"p3","status":"excused"}]}`)
	if e := errorOf(t, b); status != 400 || e.Error.Field != "lesson_id" {
		t.Fatalf("correction after the module closed: %d %s", status, b)
	}
}
