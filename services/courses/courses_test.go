package courses_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/services/courses"
	"github.com/percorsi/percorsi/services/courses/domain"
)

const key = "test-signing-key-of-at-least-32-bytes"

type fixture struct {
	app    *courses.App
	srv    *httptest.Server
	tokens map[string]string
}

// start runs the courses service on the embedded stack with one class of
// three people taught by "teacher", a lesson held an hour ago, one
// tomorrow and one cancelled.
func start(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	stack := devstacktest.Start(t, courses.Topic)
	app, err := courses.Open(ctx, process.Config{MongoURI: stack.MongoURI(), KafkaBrokers: stack.KafkaBrokers(), TokenKey: key}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Client.Disconnect(context.WithoutCancel(ctx)) })
	class := &domain.Class{
		ID: "c1", CourseID: "it-a2", CourseKind: domain.ItalianL2, Title: "Italiano A2", Organisation: "cpia1",
		Teachers: []string{"teacher"},
		Roster: []domain.Enrolment{
			{Person: "p1", DisplayName: "Amina K.", Status: domain.Enrolled},
			{Person: "p2", DisplayName: "Joy O.", Status: domain.Enrolled},
			{Person: "p3", DisplayName: "Grace N.", Status: domain.Enrolled},
			{Person: "p4", DisplayName: "Sara T.", Status: domain.Withdrawn},
		},
	}
	if err := app.Classes.Replace(ctx, class.ID, class); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, l := range []domain.Lesson{
		{ID: "held", ClassID: "c1", Start: now.Add(-time.Hour), Minutes: 120, Status: domain.Scheduled},
		{ID: "tomorrow", ClassID: "c1", Start: now.Add(24 * time.Hour), Minutes: 120, Status: domain.Scheduled},
		{ID: "cancelled", ClassID: "c1", Start: now.Add(-time.Hour), Minutes: 120, Status: domain.Cancelled},
	} {
		if err := app.Lessons.Replace(ctx, l.ID, &l); err != nil {
			t.Fatal(err)
		}
	}
	issuer, err := auth.NewHMAC([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for name, p := range map[string]auth.Principal{
		"teacher":     {Subject: "teacher", Role: auth.Teacher, Organisation: "cpia1"},
		"other":       {Subject: "other", Role: auth.Teacher, Organisation: "cpia1"},
		"coordinator": {Subject: "coord", Role: auth.Coordinator, Organisation: "cpia1"},
		"caseworker":  {Subject: "cw", Role: auth.CaseWorker, Organisation: "org1"},
	} {
		if tokens[name], err = issuer.Issue(p, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(app.Handler(app.API))
	t.Cleanup(srv.Close)
	return &fixture{app: app, srv: srv, tokens: tokens}
}

func (f *fixture) put(t *testing.T, user, lesson, body string) (int, httpkit.ErrorBody) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, f.srv.URL+"/v1/lessons/"+lesson+"/register", strings.NewReader(body))
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e httpkit.ErrorBody
	_ = json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e
}

// registers counts stored registers.
func (f *fixture) registers(t *testing.T) int64 {
	n, err := f.app.DB.Collection("registers").CountDocuments(t.Context(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

const good = `{"marks":[{"person":"p1","status":"present"},{"person":"p2","status":"late","minutes":45},{"person":"p3","status":"absent"}]}`

func TestRegisterRejectsBadInput(t *testing.T) {
	f := start(t)
	cases := []struct {
		name, user, lesson, body string
		status                   int
		field                    string
	}{
		{"malformed JSON", "teacher", "held", `{"marks":[`, 400, "body"},
		{"not JSON at all", "teacher", "held", `marks=p1`, 400, "body"},
		{"empty body", "teacher", "held", ``, 400, "body"},
		{"two objects", "teacher", "held", good + good, 400, "body"},
		{"unknown field", "teacher", "held", `{"marks":[],"note":"x"}`, 400, "note"},
		{"wrong type", "teacher", "held", `{"marks":[{"person":"p1","status":"present","minutes":"all"}]}`, 400, "marks[0].minutes"},
		{"marks not a list", "teacher", "held", `{"marks":{"p1":"present"}}`, 400, "marks"},
		{"no marks", "teacher", "held", `{"marks":[]}`, 400, "marks"},
		{"unknown person", "teacher", "held", `{"marks":[{"person":"p1","status":"present"},{"person":"p2","status":"present"},{"person":"p3","status":"present"},{"person":"nobody","status":"present"}]}`, 400, "marks[3].person"},
		{"withdrawn person", "teacher", "held", `{"marks":[{"person":"p1","status":"present"},{"person":"p2","status":"present"},{"person":"p3","status":"present"},{"person":"p4","status":"present"}]}`, 400, "marks[3].person"},
		{"someone missing", "teacher", "held", `{"marks":[{"person":"p1","status":"present"},{"person":"p2","status":"present"}]}`, 400, "marks"},
		{"absurd minutes", "teacher", "held", `{"marks":[{"person":"p1","status":"present","minutes":100000},{"person":"p2","status":"present"},{"person":"p3","status":"present"}]}`, 400, "marks[0].minutes"},
		{"negative minutes", "teacher", "held", `{"marks":[{"person":"p1","status":"late","minutes":-3},{"person":"p2","status":"present"},{"person":"p3","status":"present"}]}`, 400, "marks[0].minutes"},
		{"unknown status", "teacher", "held", `{"marks":[{"person":"p1","status":"asleep"},{"person":"p2","status":"present"},{"person":"p3","status":"present"}]}`, 400, "marks[0].status"},
		{"lesson not yet held", "teacher", "tomorrow", good, 400, "lesson_id"},
		{"cancelled lesson", "teacher", "cancelled", good, 400, "lesson_id"},
		{"unknown lesson", "teacher", "nope", good, 404, ""},
		{"no token", "", "held", good, 401, "authorization"},
		{"another teacher's class", "other", "held", good, 403, "lesson_id"},
		{"a case worker", "caseworker", "held", good, 403, ""},
		{"oversized body", "teacher", "held", `{"marks":[` + strings.Repeat(`{"person":"p1","status":"present"},`, 40000) + `{}]}`, 400, "body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := f.put(t, tc.user, tc.lesson, tc.body)
			if status != tc.status || body.Error.Field != tc.field {
				t.Fatalf("got %d %+v, want %d naming %q", status, body.Error, tc.status, tc.field)
			}
			if body.Error.Message == "" {
				t.Fatal("error without a message")
			}
		})
	}
	if n := f.registers(t); n != 0 {
		t.Fatalf("%d registers stored after bad input", n)
	}
	if n, err := f.app.Relay.Drain(t.Context()); err != nil || n != 0 {
		t.Fatalf("events pending after bad input: %d, %v", n, err)
	}
}

func TestRegisterIsStoredOnceWithItsEvents(t *testing.T) {
	f := start(t)
	if status, e := f.put(t, "teacher", "held", good); status != http.StatusCreated {
		t.Fatalf("first submission: %d %+v", status, e)
	}
	// A retry of the same register is harmless.
	if status, e := f.put(t, "teacher", "held", good); status != http.StatusOK {
		t.Fatalf("retry: %d %+v", status, e)
	}
	// A different register for the same lesson is a conflict.
	other := strings.Replace(good, `"absent"`, `"excused"`, 1)
	if status, e := f.put(t, "coordinator", "held", other); status != http.StatusConflict || e.Error.Field != "lesson_id" {
		t.Fatalf("conflicting register: %d %+v", status, e)
	}
	if n := f.registers(t); n != 1 {
		t.Fatalf("%d registers stored", n)
	}
	if n, err := f.app.Relay.Drain(t.Context()); err != nil || n != 3 {
		t.Fatalf("published %d events (%v), want one per mark", n, err)
	}

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, f.srv.URL+"/v1/lessons/held", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens["teacher"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var lesson courses.LessonResponse
	if err := json.NewDecoder(resp.Body).Decode(&lesson); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(lesson.Register.Marks)
	want := "[{p1 Amina K. present 120} {p2 Joy O. late 45} {p3 Grace N. absent 0}]"
	if got != want {
		t.Fatalf("stored marks %s, want %s", got, want)
	}
}

func FuzzDecodeRecordRegister(f *testing.F) {
	f.Add(good)
	f.Add(`{"marks":[{"person":"p1","status":"late","minutes":1e3}]}`)
	f.Add(`{"marks":[null]}`)
	f.Add(`{"marks":[{"person":7}]}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPut, "/v1/lessons/l1/register", strings.NewReader(body))
		r.SetPathValue("id", "l1")
		req, err := courses.DecodeRecordRegister(t.Context(), r)
		if err != nil {
			e := httpkitError(err)
			if e == "" {
				t.Fatalf("decode error names no field: %v", err)
			}
			return
		}
		if req.(courses.RecordRegisterRequest).LessonID != "l1" {
			t.Fatal("lesson id lost")
		}
	})
}

func httpkitError(err error) string {
	rec := httptest.NewRecorder()
	httpkit.ErrorEncoder(context.Background(), err, rec)
	var body httpkit.ErrorBody
	_ = json.NewDecoder(rec.Body).Decode(&body)
	if rec.Code != http.StatusBadRequest {
		return ""
	}
	return body.Error.Field
}

// TestRecountMissed: a register stored without its count (the service
// stopped between the two writes and the teacher never retried) is counted
// by the recount at start, once.
func TestRecountMissed(t *testing.T) {
	f := start(t)
	ctx := t.Context()
	if got, err := f.app.Service.RecountMissed(ctx); err != nil || len(got) != 0 {
		t.Fatalf("recounted %v (%v) with every register counted", got, err)
	}
	lesson, err := f.app.Lessons.Get(ctx, "held")
	if err != nil {
		t.Fatal(err)
	}
	class, err := f.app.Classes.Get(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := domain.NewRegister(class, lesson, []register.Mark{
		{Person: "p1", Status: register.Present}, {Person: "p2", Status: register.Late, Minutes: 45}, {Person: "p3", Status: register.Absent},
	}, "teacher", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.app.Service.Registers.Create(ctx, reg.LessonID, reg, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := f.app.Service.RecountMissed(ctx); err != nil || len(got) != 1 || got[0] != "c1" {
		t.Fatalf("recounted %v (%v), want c1", got, err)
	}
	if class, err = f.app.Classes.Get(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if p2 := class.Find("p2"); p2.Figures.MinutesAttended != 45 || p2.Figures.MinutesHeld != 120 {
		t.Fatalf("p2 figures after the recount: %+v", p2.Figures)
	}
	if got, err := f.app.Service.RecountMissed(ctx); err != nil || len(got) != 0 {
		t.Fatalf("recounted %v (%v) a second time", got, err)
	}
}
