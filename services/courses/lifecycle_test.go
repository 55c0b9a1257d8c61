package courses_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/proto"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/process"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	"github.com/percorsi/percorsi/services/courses"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// rome is the schedules' clock; the lifecycle runs on Friday 20 November
// 2026 at noon there.
var (
	rome   = domain.DefaultConfig().Location
	friday = time.Date(2026, 11, 20, 12, 0, 0, 0, rome)
)

type life struct {
	app    *courses.App
	url    string
	tokens map[string]string
}

// startLife runs courses on the embedded stack with a fixed clock and no
// data: the test builds everything through the API.
func startLife(t *testing.T) *life {
	t.Helper()
	stack := devstacktest.Start(t, courses.Topic)
	app, err := courses.OpenWith(t.Context(), process.Config{MongoURI: stack.MongoURI(), KafkaBrokers: stack.KafkaBrokers(), TokenKey: key},
		domain.DefaultConfig(), func() time.Time { return friday }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Client.Disconnect(context.WithoutCancel(t.Context())) })
	srv := httptest.NewServer(app.Handler(app.API))
	t.Cleanup(srv.Close)
	issuer, err := auth.NewHMAC([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	l := &life{app: app, url: srv.URL, tokens: map[string]string{}}
	for name, p := range map[string]auth.Principal{
		"teacher":     {Subject: "teacher", Role: auth.Teacher, Organisation: "cpia1"},
		"other":       {Subject: "other", Role: auth.Teacher, Organisation: "cpia1"},
		"coordinator": {Subject: "coord", Role: auth.Coordinator, Organisation: "cpia1"},
		"foreign":     {Subject: "coord2", Role: auth.Coordinator, Organisation: "cpia2"},
		"caseworker":  {Subject: "cw", Role: auth.CaseWorker, Organisation: "org1"},
	} {
		if l.tokens[name], err = issuer.Issue(p, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// call makes a request as user and returns the status and body; a body
// starting with "person," is sent as CSV.
func (l *life) call(t *testing.T, user, method, path, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, l.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+l.tokens[user])
	if strings.HasSuffix(path, ".csv") {
		req.Header.Set("Content-Type", "text/csv")
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
func (l *life) must(t *testing.T, want int, user, method, path, body string) []byte {
	t.Helper()
	status, b := l.call(t, user, method, path, body)
	if status != want {
		t.Fatalf("%s %s as %s: %d %s, want %d", method, path, user, status, b, want)
	}
	return b
}

func (l *life) attendance(t *testing.T, class string) map[string]courses.EnrolmentJSON {
	t.Helper()
	var resp courses.AttendanceResponse
	if err := json.Unmarshal(l.must(t, 200, "coordinator", "GET", "/v1/classes/"+class+"/attendance", ""), &resp); err != nil {
		t.Fatal(err)
	}
	out := map[string]courses.EnrolmentJSON{}
	for _, e := range resp.Class.Roster {
		out[e.Person] = e
	}
	return out
}

const (
	course = `{"kind":"italian_l2","title":"Italiano A2","total_hours":4,"target_level":"a2"}`
	// Monday, Wednesday and Friday at 9:00 for an hour, through November.
	class = `{"course_id":"it-a2","title":"Italiano A2 mattina","site":"Via Galvani","teachers":["teacher"],"capacity":3,
		"start_date":"2026-11-02","end_date":"2026-11-30",
		"schedule":[{"weekday":"monday","start":"09:00","minutes":60},{"weekday":"wednesday","start":"09:00","minutes":60},{"weekday":"friday","start":"09:00","minutes":60}]}`
)

func marks(p1, p2, p3 string) string {
	m := func(p, s string) string {
		st, min, _ := strings.Cut(s, ":")
		if min == "" {
			min = "0"
		}
		return `{"person":"` + p + `","status":"` + st + `","minutes":` + min + `}`
	}
	var ms []string
	for _, pm := range [][2]string{{"p1", p1}, {"p2", p2}, {"p3", p3}} {
		if pm[1] != "" {
			ms = append(ms, m(pm[0], pm[1]))
		}
	}
	return `{"marks":[` + strings.Join(ms, ",") + `]}`
}

// TestLifecycle follows a class from the catalogue to a certificate over
// HTTP, Mongo and Kafka: schedule, enrolment and waiting list, CSV roster
// import, today's lessons, registers with locking, cancelled and moved
// lessons, corrections with their history, absence alerts, attendance
// figures, withdrawal, transfer keeping the hours, assessment, certificate,
// CSV exports, and the events with no personal data.
func TestLifecycle(t *testing.T) {
	l := startLife(t)

	l.must(t, 200, "coordinator", "PUT", "/v1/courses/it-a2", course)
	l.must(t, 403, "teacher", "PUT", "/v1/courses/it-a2", course)
	var created courses.ClassCreated
	if err := json.Unmarshal(l.must(t, 201, "coordinator", "PUT", "/v1/classes/c1", class), &created); err != nil || created.Lessons != 13 {
		t.Fatalf("class created with %d lessons (%v), want 13 Mondays, Wednesdays and Fridays", created.Lessons, err)
	}
	l.must(t, 200, "coordinator", "PUT", "/v1/classes/c1", class) // a retry
	l.must(t, 201, "coordinator", "PUT", "/v1/classes/c2", strings.Replace(class, `"teacher"`, `"other"`, 1))

	// Enrolment: two by JSON, the rest from the secretariat's CSV.
	l.must(t, 201, "coordinator", "POST", "/v1/classes/c1/enrolments", `{"person":"p1","display_name":"Amina K."}`)
	l.must(t, 201, "coordinator", "POST", "/v1/classes/c1/enrolments", `{"person":"p2","display_name":"Joy O."}`)
	l.must(t, 409, "coordinator", "POST", "/v1/classes/c1/enrolments", `{"person":"p2","display_name":"Joy O."}`)
	l.must(t, 403, "teacher", "POST", "/v1/classes/c1/enrolments", `{"person":"p9","display_name":"X"}`)
	var report courses.ImportReport
	roster := "person,display_name\np3,Grace N.\np4,Sara T.\n,Nobody\np1,Amina K.\np5,\n"
	if err := json.Unmarshal(l.must(t, 200, "coordinator", "POST", "/v1/classes/c1/roster.csv", roster), &report); err != nil {
		t.Fatal(err)
	}
	if report.Enrolled != 1 || report.Waiting != 1 || report.Rejected != 3 {
		t.Fatalf("import report %+v, want p3 enrolled, p4 waiting (capacity 3), three lines rejected", report)
	}
	for _, want := range []courses.LineOutcome{
		{Line: 4, Person: "", Outcome: "rejected", Field: "person", Reason: "is required"},
		{Line: 5, Person: "p1", Outcome: "rejected", Field: "person", Reason: "is already enrolled"},
		{Line: 6, Person: "p5", Outcome: "rejected", Field: "display_name", Reason: "is required"},
	} {
		if !slices.Contains(report.Lines, want) {
			t.Errorf("report lacks %+v: %+v", want, report.Lines)
		}
	}

	// Today's lessons: the teacher's one lesson of the day.
	var today courses.TodayResponse
	if err := json.Unmarshal(l.must(t, 200, "teacher", "GET", "/v1/lessons", ""), &today); err != nil {
		t.Fatal(err)
	}
	if len(today.Lessons) != 1 || today.Lessons[0].ID != "c1-20261120-0900" || today.Lessons[0].Expected != 3 {
		t.Fatalf("today's lessons %+v", today)
	}

	// Registers of the week; p2 misses three lessons in a row.
	l.must(t, 201, "teacher", "PUT", "/v1/lessons/c1-20261116-0900/register", marks("present", "absent", "absent"))
	l.must(t, 201, "teacher", "PUT", "/v1/lessons/c1-20261118-0900/register", marks("present", "absent", "late:30"))
	l.must(t, 201, "teacher", "PUT", "/v1/lessons/c1-20261120-0900/register", marks("present", "absent", "present"))
	l.must(t, 200, "teacher", "PUT", "/v1/lessons/c1-20261120-0900/register", marks("present", "absent", "present"))
	// A register forgotten two weeks ago can still be recorded; once
	// recorded, it is locked to the teacher's corrections (below).
	l.must(t, 201, "teacher", "PUT", "/v1/lessons/c1-20261102-0900/register", marks("present", "present", "present"))
	// Another teacher, a lesson not held yet, a cancelled one.
	l.must(t, 403, "other", "PUT", "/v1/lessons/c1-20261116-0900/register", marks("present", "present", "present"))
	l.must(t, 400, "teacher", "PUT", "/v1/lessons/c1-20261123-0900/register", marks("present", "present", "present"))
	l.must(t, 200, "teacher", "POST", "/v1/lessons/c1-20261123-0900/cancel", "")
	l.must(t, 400, "teacher", "PUT", "/v1/lessons/c1-20261123-0900/register", marks("present", "present", "present"))
	l.must(t, 409, "teacher", "POST", "/v1/lessons/c1-20261116-0900/cancel", "")
	l.must(t, 200, "teacher", "POST", "/v1/lessons/c1-20261125-0900/move", `{"start":"2026-11-24T10:00:00+01:00","minutes":90}`)
	l.must(t, 201, "teacher", "POST", "/v1/classes/c1/lessons", `{"start":"2026-11-21T09:00:00+01:00","minutes":60}`)
	l.must(t, 409, "teacher", "POST", "/v1/classes/c1/lessons", `{"start":"2026-11-21T09:00:00+01:00","minutes":60}`)

	got := l.attendance(t, "c1")
	if p2 := got["p2"]; p2.ConsecutiveAbsences != 3 || p2.MinutesAttended != 60 || p2.MinutesHeld != 240 || p2.RatePercent != 25 {
		t.Fatalf("p2 figures %+v", p2)
	}
	if p1 := got["p1"]; p1.MinutesAttended != 240 || !p1.AdmittedToFinal {
		t.Fatalf("p1 figures %+v: 4 of 4 planned hours should admit", p1)
	}

	// A correction keeps the history and recounts: p2 was excused on Monday.
	var reg courses.RegisterResponse
	if err := json.Unmarshal(l.must(t, 200, "teacher", "POST", "/v1/lessons/c1-20261116-0900/corrections",
		`{"marks":[{"person":"p2","status":"excused"}],"reason":"medical certificate"}`), &reg); err != nil {
		t.Fatal(err)
	}
	if reg.Register.Revision != 2 || len(reg.Register.Corrections) != 1 || reg.Register.Corrections[0].From.Status != "absent" || reg.Register.Corrections[0].By != "teacher" {
		t.Fatalf("corrected register %+v", reg.Register)
	}
	l.must(t, 400, "teacher", "POST", "/v1/lessons/c1-20261116-0900/corrections", `{"marks":[{"person":"p2","status":"excused"}]}`)
	l.must(t, 403, "teacher", "POST", "/v1/lessons/c1-20261102-0900/corrections", `{"marks":[{"person":"p2","status":"absent"}],"reason":"typo"}`)
	l.must(t, 200, "coordinator", "POST", "/v1/lessons/c1-20261102-0900/corrections", `{"marks":[{"person":"p3","status":"late","minutes":40}],"reason":"typo"}`)
	l.must(t, 409, "teacher", "PUT", "/v1/lessons/c1-20261116-0900/register", marks("present", "absent", "absent"))
	got = l.attendance(t, "c1")
	if p2 := got["p2"]; p2.ConsecutiveAbsences != 2 || p2.MinutesHeld != 240 {
		t.Fatalf("p2 after correction %+v: Monday excused, then two absences", p2)
	}
	if p3 := got["p3"]; p3.MinutesAttended != 40+30+60 {
		t.Fatalf("p3 after correction %+v", p3)
	}

	// p3 withdraws: p4 takes the place from the waiting list.
	l.must(t, 400, "coordinator", "POST", "/v1/classes/c1/enrolments/p3/withdraw", `{"reason":"bored"}`)
	l.must(t, 200, "coordinator", "POST", "/v1/classes/c1/enrolments/p3/withdraw", `{"reason":"work","note":"found a job"}`)
	got = l.attendance(t, "c1")
	if got["p3"].Status != "withdrawn" || got["p4"].Status != "enrolled" {
		t.Fatalf("after withdrawal %+v", got)
	}
	l.must(t, 400, "teacher", "PUT", "/v1/lessons/c1-20261121-0900/register", marks("present", "absent", "present"))
	// A suspended person is not on the register until resumed.
	l.must(t, 200, "coordinator", "POST", "/v1/classes/c1/enrolments/p4/suspend", "")
	l.must(t, 409, "coordinator", "POST", "/v1/classes/c1/enrolments/p4/suspend", "")
	var lesson courses.LessonResponse
	if err := json.Unmarshal(l.must(t, 200, "teacher", "GET", "/v1/lessons/c1-20261121-0900", ""), &lesson); err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(lesson.Class.Roster, func(e courses.EnrolmentJSON) bool { return e.Person == "p4" }); i < 0 || lesson.Class.Roster[i].Status != "suspended" {
		t.Fatalf("p4 in the roster: %+v", lesson.Class.Roster)
	}
	l.must(t, 200, "coordinator", "POST", "/v1/classes/c1/enrolments/p4/resume", "")

	// p1 moves to the other class and keeps the hours; there she is
	// assessed and certified.
	l.must(t, 200, "coordinator", "POST", "/v1/classes/c1/enrolments/p1/transfer", `{"to_class_id":"c2"}`)
	got = l.attendance(t, "c2")
	if p1 := got["p1"]; p1.Status != "enrolled" || p1.MinutesAttended != 240 || p1.TransferredFrom != "c1" || !p1.AdmittedToFinal {
		t.Fatalf("p1 in c2 %+v", p1)
	}
	if l.attendance(t, "c1")["p1"].Status != "transferred" {
		t.Fatal("p1 still in c1")
	}
	l.must(t, 403, "teacher", "POST", "/v1/classes/c2/assessments", `{"person":"p1","kind":"final","cefr_overall":"a2"}`)
	l.must(t, 400, "other", "POST", "/v1/classes/c2/assessments", `{"person":"p1","kind":"final","cefr_overall":"a9"}`)
	l.must(t, 201, "other", "POST", "/v1/classes/c2/assessments", `{"person":"p1","kind":"final","cefr_overall":"a2","cefr_by_skill":{"listening":"b1","writing":"a2"}}`)
	l.must(t, 403, "other", "POST", "/v1/classes/c2/enrolments/p1/certificate", "")
	l.must(t, 201, "coordinator", "POST", "/v1/classes/c2/enrolments/p1/certificate", "")
	l.must(t, 200, "coordinator", "POST", "/v1/classes/c2/enrolments/p1/certificate", "")
	if s := l.attendance(t, "c2")["p1"].Status; s != "completed" {
		t.Fatalf("p1 certified but %s", s)
	}
	// p2 attended too little to be certified.
	l.must(t, 201, "teacher", "POST", "/v1/classes/c1/assessments", `{"person":"p2","kind":"final","cefr_overall":"a2"}`)
	l.must(t, 400, "coordinator", "POST", "/v1/classes/c1/enrolments/p2/certificate", "")

	// Nobody else sees registers.
	l.must(t, 403, "caseworker", "GET", "/v1/classes/c1/attendance", "")
	l.must(t, 403, "foreign", "GET", "/v1/classes/c1/attendance", "")
	l.must(t, 403, "other", "GET", "/v1/lessons/c1-20261116-0900", "")

	// The secretariat's files.
	rows := readCSV(t, l.must(t, 200, "teacher", "GET", "/v1/classes/c1/register.csv", ""))
	if !hasRow(rows, "c1-20261116-0900", "2026-11-16", "09:00", "60", "scheduled", "p2", "Joy O.", "excused", "0", "1") ||
		!hasRow(rows, "c1-20261123-0900", "2026-11-23", "09:00", "60", "cancelled", "", "", "not_recorded", "", "") {
		t.Fatalf("register export:\n%v", rows)
	}
	rows = readCSV(t, l.must(t, 200, "teacher", "GET", "/v1/classes/c1/attendance.csv?month=2026-11", ""))
	if !hasRow(rows, "p2", "Joy O.", "enrolled", "4", "1", "0", "2", "1", "1.0", "4.0", "25.0") {
		t.Fatalf("monthly summary:\n%v", rows)
	}
	l.must(t, 400, "teacher", "GET", "/v1/classes/c1/attendance.csv?month=novembre", "")

	// Every fact reached Kafka, keyed by pseudonym, with no display name
	// and no withdrawal note.
	n, err := l.app.Relay.Drain(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, m := range readTopic(t, l.app.Brokers, n) {
		for _, secret := range []string{"Amina", "Joy", "Grace", "Sara", "found a job", "medical certificate"} {
			if bytes.Contains(m.Value, []byte(secret)) {
				t.Fatalf("event %s carries %q", m.Key, secret)
			}
		}
		ev, err := events.Unmarshal(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Key) != ev.Person {
			t.Fatalf("event keyed %s for %s", m.Key, ev.Person)
		}
		types[string(proto.MessageName(ev.Payload).Name())]++
		if s, ok := ev.Payload.(*coursesv1.AbsenceStreakReached); ok && (ev.Person != "p2" || s.ConsecutiveAbsences != 3) {
			t.Fatalf("streak event %v for %s", s, ev.Person)
		}
	}
	want := map[string]int{
		"EnrolledInCourse": 5, "AttendanceRecorded": 12, "AttendanceCorrected": 2, "AbsenceStreakReached": 1,
		"CourseWithdrawn": 2, "LevelAssessed": 2, "CertificateIssued": 1, "CourseCompleted": 1,
	}
	for typ, w := range want {
		if types[typ] != w {
			t.Errorf("%d %s events, want %d (all: %v)", types[typ], typ, w, types)
		}
	}
}

func hasRow(rows [][]string, want ...string) bool {
	return slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, want) })
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
	rd := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, GroupID: "audit", Topic: courses.Topic, StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
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

// TestBadInputStoresNothing: malformed roster files and bad requests of the
// class routes are refused naming the field, and nothing is stored.
func TestBadInputStoresNothing(t *testing.T) {
	l := startLife(t)
	l.must(t, 200, "coordinator", "PUT", "/v1/courses/it-a2", course)
	l.must(t, 201, "coordinator", "PUT", "/v1/classes/c1", class)
	cases := []struct {
		name, user, method, path, body string
		status                         int
		field                          string
	}{
		{"CSV with an open quote", "coordinator", "POST", "/v1/classes/c1/roster.csv", "person,display_name\np1,\"Amina\n", 400, "body"},
		{"CSV without the header", "coordinator", "POST", "/v1/classes/c1/roster.csv", "p1,Amina K.\n", 400, "body"},
		{"CSV with a short line", "coordinator", "POST", "/v1/classes/c1/roster.csv", "person,display_name\np1\n", 400, "body"},
		{"CSV listing nobody", "coordinator", "POST", "/v1/classes/c1/roster.csv", "person,display_name\n", 400, "body"},
		{"empty CSV", "coordinator", "POST", "/v1/classes/c1/roster.csv", "", 400, "body"},
		{"CSV not UTF-8", "coordinator", "POST", "/v1/classes/c1/roster.csv", "person,display_name\np1,\xff\xfe\n", 400, "body"},
		{"CSV by a teacher", "teacher", "POST", "/v1/classes/c1/roster.csv", "person,display_name\np1,Amina K.\n", 403, "class_id"},
		{"CSV to an unknown class", "coordinator", "POST", "/v1/classes/nope/roster.csv", "person,display_name\np1,Amina K.\n", 404, ""},
		{"enrol without a name", "coordinator", "POST", "/v1/classes/c1/enrolments", `{"person":"p1"}`, 400, "display_name"},
		{"enrol with an unknown field", "coordinator", "POST", "/v1/classes/c1/enrolments", `{"person":"p1","display_name":"A","legal_name":"x"}`, 400, "legal_name"},
		{"class with a bad weekday", "coordinator", "PUT", "/v1/classes/c9", strings.Replace(class, "monday", "lunedi", 1), 400, "schedule[0].weekday"},
		{"class with a bad start", "coordinator", "PUT", "/v1/classes/c9", strings.Replace(class, `"09:00"`, `"9h"`, 1), 400, "schedule[0].start"},
		{"class ending before it starts", "coordinator", "PUT", "/v1/classes/c9", strings.Replace(class, "2026-11-30", "2026-10-30", 1), 400, "end_date"},
		{"class of an unknown course", "coordinator", "PUT", "/v1/classes/c9", strings.Replace(class, "it-a2", "nope", 1), 400, "course_id"},
		{"class by a teacher", "teacher", "PUT", "/v1/classes/c9", class, 403, ""},
		{"course without hours", "coordinator", "PUT", "/v1/courses/x", `{"kind":"digital","title":"PC","target_digcomp":3}`, 400, "total_hours"},
		{"digital course with a CEFR target", "coordinator", "PUT", "/v1/courses/x", `{"kind":"digital","title":"PC","total_hours":40,"target_level":"a2"}`, 400, "target_digcomp"},
		{"lesson moved to no time", "teacher", "POST", "/v1/lessons/c1-20261125-0900/move", `{"start":"tomorrow","minutes":60}`, 400, "start"},
		{"lesson too long", "teacher", "POST", "/v1/classes/c1/lessons", `{"start":"2026-11-21T09:00:00+01:00","minutes":6000}`, 400, "minutes"},
		{"correction of an unrecorded register", "teacher", "POST", "/v1/lessons/c1-20261120-0900/corrections", `{"marks":[{"person":"p1","status":"absent"}],"reason":"x"}`, 400, "lesson_id"},
		{"withdrawal of nobody", "coordinator", "POST", "/v1/classes/c1/enrolments/p1/withdraw", `{"reason":"work"}`, 404, "person"},
		{"assessment of nobody", "teacher", "POST", "/v1/classes/c1/assessments", `{"person":"p1","kind":"final","cefr_overall":"a2"}`, 400, "person"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, b := l.call(t, tc.user, tc.method, tc.path, tc.body)
			var e struct {
				Error struct{ Field, Message string }
			}
			_ = json.Unmarshal(b, &e)
			if status != tc.status || e.Error.Field != tc.field || e.Error.Message == "" {
				t.Fatalf("got %d %s, want %d naming %q", status, b, tc.status, tc.field)
			}
		})
	}
	if got := l.attendance(t, "c1"); len(got) != 0 {
		t.Fatalf("people stored after bad input: %v", got)
	}
	for _, coll := range []string{"registers", "assessments", "certificates"} {
		if n, err := l.app.DB.Collection(coll).CountDocuments(t.Context(), bson.D{}); err != nil || n != 0 {
			t.Fatalf("%d %s stored after bad input (%v)", n, coll, err)
		}
	}
	if n, err := l.app.DB.Collection("classes").CountDocuments(t.Context(), bson.D{}); err != nil || n != 1 {
		t.Fatalf("%d classes stored, want only c1 (%v)", n, err)
	}
	if n, err := l.app.Relay.Drain(t.Context()); err != nil || n != 0 {
		t.Fatalf("events pending after bad input: %d, %v", n, err)
	}
}

// TestOpenAPIIsServed: the service serves its document, which
// TestOpenAPIDocumentsEveryRoute holds to the routes.
func TestOpenAPIIsServed(t *testing.T) {
	f := start(t)
	resp, err := http.Get(f.srv.URL + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/yaml" || !bytes.HasPrefix(doc, []byte("openapi: 3.")) {
		t.Fatalf("openapi.yaml: %d %s %v", resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
}
