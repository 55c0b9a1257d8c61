package training_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/percorsi/percorsi/services/training"
)

// Lessons are cancelled, moved and added as in courses: a recorded lesson
// can be neither cancelled nor moved, a moved lesson keeps its id (its
// register's), a cancelled lesson counts in nobody's minutes, and a closed
// module's lessons are final. Bad input is refused naming the field, with
// nothing stored and no event.
func TestLessonsCancelledMovedAndAdded(t *testing.T) {
	f := start(t)
	f.setUp(t)
	at := func(days, hour int) string {
		d := f.now.AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, time.UTC).Format(time.RFC3339)
	}
	all := `{"marks":[{"person":"p1","status":"present"},{"person":"p2","status":"present"},{"person":"p3","status":"present"}]}`
	f.must(t, 201, "trainer", "PUT", "/v1/lessons/l1/register", all)
	if _, err := f.app.Relay.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	before := f.snapshot(t)
	for _, tc := range []struct {
		name, user, method, path, body string
		status                         int
		field                          string
	}{
		{"add: no id", "trainer", "POST", "/v1/editions/ed1/lessons", fmt.Sprintf(`{"module_id":"cucina","start":%q,"minutes":120}`, at(-3, 9)), 400, "id"},
		{"add: unknown field", "trainer", "POST", "/v1/editions/ed1/lessons", `{"id":"x","room":"B"}`, 400, "room"},
		{"add: unknown module", "trainer", "POST", "/v1/editions/ed1/lessons", fmt.Sprintf(`{"id":"x","module_id":"nope","start":%q,"minutes":120}`, at(-3, 9)), 400, "module_id"},
		{"add: internship module", "trainer", "POST", "/v1/editions/ed1/lessons", fmt.Sprintf(`{"id":"x","module_id":"stage","start":%q,"minutes":120}`, at(-3, 9)), 400, "module_id"},
		{"add: no start", "trainer", "POST", "/v1/editions/ed1/lessons", `{"id":"x","module_id":"cucina","minutes":120}`, 400, "start"},
		{"add: start not a time", "trainer", "POST", "/v1/editions/ed1/lessons", `{"id":"x","module_id":"cucina","start":"domani","minutes":120}`, 400, "start"},
		{"add: outside the edition", "trainer", "POST", "/v1/editions/ed1/lessons", fmt.Sprintf(`{"id":"x","module_id":"cucina","start":%q,"minutes":120}`, at(-40, 9)), 400, "start"},
		{"add: too short", "trainer", "POST", "/v1/editions/ed1/lessons", fmt.Sprintf(`{"id":"x","module_id":"cucina","start":%q,"minutes":10}`, at(-3, 9)), 400, "minutes"},
		{"add: minutes type", "trainer", "POST", "/v1/editions/ed1/lessons", fmt.Sprintf(`{"id":"x","module_id":"cucina","start":%q,"minutes":"2h"}`, at(-3, 9)), 400, "minutes"},
		{"add: id of another lesson", "trainer", "POST", "/v1/editions/ed1/lessons", fmt.Sprintf(`{"id":"l2","module_id":"cucina","start":%q,"minutes":120}`, at(-3, 9)), 409, "id"},
		{"add: another trainer", "other", "POST", "/v1/editions/ed1/lessons", fmt.Sprintf(`{"id":"x","module_id":"cucina","start":%q,"minutes":120}`, at(-3, 9)), 403, "edition_id"},
		{"add: no token", "", "POST", "/v1/editions/ed1/lessons", fmt.Sprintf(`{"id":"x","module_id":"cucina","start":%q,"minutes":120}`, at(-3, 9)), 401, "authorization"},
		{"add: unknown edition", "trainer", "POST", "/v1/editions/nope/lessons", fmt.Sprintf(`{"id":"x","module_id":"cucina","start":%q,"minutes":120}`, at(-3, 9)), 404, "edition_id"},
		{"move: no start", "trainer", "POST", "/v1/lessons/l3/move", `{"minutes":120}`, 400, "start"},
		{"move: outside the edition", "trainer", "POST", "/v1/lessons/l3/move", fmt.Sprintf(`{"start":%q,"minutes":120}`, at(90, 9)), 400, "start"},
		{"move: too long", "trainer", "POST", "/v1/lessons/l3/move", fmt.Sprintf(`{"start":%q,"minutes":600}`, at(2, 9)), 400, "minutes"},
		{"move: recorded", "trainer", "POST", "/v1/lessons/l1/move", fmt.Sprintf(`{"start":%q,"minutes":120}`, at(-19, 9)), 409, "lesson_id"},
		{"move: another trainer", "other", "POST", "/v1/lessons/l3/move", fmt.Sprintf(`{"start":%q,"minutes":120}`, at(2, 9)), 403, "lesson_id"},
		{"move: unknown lesson", "trainer", "POST", "/v1/lessons/nope/move", fmt.Sprintf(`{"start":%q,"minutes":120}`, at(2, 9)), 404, "lesson_id"},
		{"cancel: recorded", "trainer", "POST", "/v1/lessons/l1/cancel", ``, 409, "lesson_id"},
		{"cancel: another trainer", "other", "POST", "/v1/lessons/l2/cancel", ``, 403, "lesson_id"},
		{"cancel: a case worker", "caseworker", "POST", "/v1/lessons/l2/cancel", ``, 403, ""},
		{"cancel: unknown lesson", "trainer", "POST", "/v1/lessons/nope/cancel", ``, 404, "lesson_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, b := f.call(t, tc.user, tc.method, tc.path, tc.body)
			if e := errorOf(t, b); status != tc.status || e.Error.Field != tc.field || e.Error.Message == "" {
				t.Fatalf("got %d %s, want %d naming %q", status, b, tc.status, tc.field)
			}
		})
	}
	if after := f.snapshot(t); after != before {
		t.Fatalf("refused lesson changes changed the store:\nbefore %s\nafter  %s", before, after)
	}

	lesson := func(b []byte) training.LessonJSON {
		t.Helper()
		var r training.LessonChangeResponse
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		return r.Lesson
	}
	// Tomorrow's lesson was held two days ago, for three hours: it keeps its
	// id, and its register is recorded under it.
	moved := lesson(f.must(t, 200, "trainer", "POST", "/v1/lessons/l3/move", fmt.Sprintf(`{"start":%q,"minutes":180}`, at(-2, 9))))
	if moved.ID != "l3" || moved.Start.Format(time.RFC3339) != at(-2, 9) || moved.Minutes != 180 {
		t.Fatalf("moved lesson %+v", moved)
	}
	var reg training.RegisterResponse
	if err := json.Unmarshal(f.must(t, 201, "trainer", "PUT", "/v1/lessons/l3/register", all), &reg); err != nil {
		t.Fatal(err)
	}
	if reg.Register.LessonID != "l3" || reg.Register.Marks[0].Minutes != 180 {
		t.Fatalf("register of the moved lesson %+v", reg.Register)
	}
	f.must(t, 409, "trainer", "POST", "/v1/lessons/l3/cancel", "")

	// The lesson ten days ago did not take place; an extra one makes up.
	if l := lesson(f.must(t, 200, "trainer", "POST", "/v1/lessons/l2/cancel", "")); !l.Cancelled {
		t.Fatalf("cancelled lesson %+v", l)
	}
	f.must(t, 409, "trainer", "POST", "/v1/lessons/l2/cancel", "")
	f.must(t, 409, "trainer", "POST", "/v1/lessons/l2/move", fmt.Sprintf(`{"start":%q,"minutes":120}`, at(-9, 9)))
	status, b := f.call(t, "trainer", "PUT", "/v1/lessons/l2/register", all)
	if e := errorOf(t, b); status != 400 || e.Error.Field != "lesson_id" {
		t.Fatalf("register of a cancelled lesson: %d %s", status, b)
	}
	extra := fmt.Sprintf(`{"id":"x1","module_id":"cucina","start":%q,"minutes":120}`, at(-3, 14))
	if l := lesson(f.must(t, 201, "coordinator", "POST", "/v1/editions/ed1/lessons", extra)); !l.Extra || l.EditionID != "ed1" {
		t.Fatalf("extra lesson %+v", l)
	}
	f.must(t, 200, "trainer", "POST", "/v1/editions/ed1/lessons", extra)
	f.must(t, 409, "trainer", "POST", "/v1/editions/ed1/lessons", fmt.Sprintf(`{"id":"x1","module_id":"cucina","start":%q,"minutes":60}`, at(-3, 14)))
	f.must(t, 201, "trainer", "PUT", "/v1/lessons/x1/register", all)
	if n, err := f.app.Relay.Drain(t.Context()); err != nil || n != 6 {
		t.Fatalf("published %d events (%v), want the 6 marks only", n, err)
	}

	// 240 (l1) + 180 (l3) + 120 (x1): the cancelled lesson counts for no
	// one, so p1 (540 of the 672 minutes needed) is not admitted.
	var view training.EditionViewResponse
	if err := json.Unmarshal(f.must(t, 200, "trainer", "GET", "/v1/editions/ed1", ""), &view); err != nil {
		t.Fatal(err)
	}
	if p1 := view.Edition.Roster[0]; *p1.MinutesAttended != 540 || *p1.Admitted {
		t.Fatalf("p1 attended %d minutes, admitted %v", *p1.MinutesAttended, *p1.Admitted)
	}
	got := map[string]string{}
	for _, l := range view.Lessons {
		got[l.ID] = fmt.Sprintf("cancelled=%v recorded=%v extra=%v", l.Cancelled, l.Recorded, l.Extra)
	}
	want := map[string]string{
		"l1": "cancelled=false recorded=true extra=false", "l2": "cancelled=true recorded=false extra=false",
		"l3": "cancelled=false recorded=true extra=false", "x1": "cancelled=false recorded=true extra=true",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("lessons\n got %v\nwant %v", got, want)
	}

	// A closed module's schedule is final.
	f.must(t, 201, "coordinator", "PUT", "/v1/editions/ed2", fmt.Sprintf(`{"course_id":"aiuto-cuoco","trainers":["tr1"],"start":%q,"end":%q,"lessons":[{"id":"m1","module_id":"haccp","start":%q,"minutes":60}]}`, at(-30, 0), at(60, 0), at(5, 9)))
	f.must(t, 200, "trainer", "POST", "/v1/editions/ed2/modules/haccp/close", "")
	for _, c := range []struct{ path, body, field string }{
		{"/v1/lessons/m1/cancel", "", "lesson_id"},
		{"/v1/lessons/m1/move", fmt.Sprintf(`{"start":%q,"minutes":60}`, at(6, 9)), "lesson_id"},
		{"/v1/editions/ed2/lessons", fmt.Sprintf(`{"id":"m2","module_id":"haccp","start":%q,"minutes":60}`, at(6, 9)), "module_id"},
	} {
		status, b := f.call(t, "trainer", "POST", c.path, c.body)
		if e := errorOf(t, b); status != 409 || e.Error.Field != c.field {
			t.Errorf("%s after the module closed: %d %s", c.path, status, b)
		}
	}
}

// A cancellation and a register racing on one lesson: exactly one wins,
// and the lesson ends cancelled with no register, or recorded with one.
func TestLessonCancelRacingItsRegister(t *testing.T) {
	f := start(t)
	f.setUp(t)
	send := func(method, path, body string) (int, error) {
		req, err := http.NewRequestWithContext(t.Context(), method, f.srv.URL+path, strings.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+f.tokens["trainer"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	all := `{"marks":[{"person":"p1","status":"present"},{"person":"p2","status":"present"},{"person":"p3","status":"present"}]}`
	day := f.now.AddDate(0, 0, -5)
	for i := range 6 {
		id := fmt.Sprintf("r%d", i)
		start := time.Date(day.Year(), day.Month(), day.Day(), 8+i, 0, 0, 0, time.UTC).Format(time.RFC3339)
		f.must(t, 201, "trainer", "POST", "/v1/editions/ed1/lessons", fmt.Sprintf(`{"id":%q,"module_id":"cucina","start":%q,"minutes":60}`, id, start))
		var wg sync.WaitGroup
		var cancelled, recorded int
		var cancelErr, recordErr error
		wg.Go(func() { cancelled, cancelErr = send("POST", "/v1/lessons/"+id+"/cancel", "") })
		wg.Go(func() { recorded, recordErr = send("PUT", "/v1/lessons/"+id+"/register", all) })
		wg.Wait()
		if cancelErr != nil || recordErr != nil {
			t.Fatal(cancelErr, recordErr)
		}
		var view training.LessonResponse
		if err := json.Unmarshal(f.must(t, 200, "trainer", "GET", "/v1/lessons/"+id, ""), &view); err != nil {
			t.Fatal(err)
		}
		switch {
		case cancelled == 200 && recorded == 400 && view.Lesson.Cancelled && view.Register == nil:
		case recorded == 201 && cancelled == 409 && view.Lesson.Recorded && !view.Lesson.Cancelled && view.Register != nil:
		default:
			t.Fatalf("%s: cancel %d, register %d; lesson %+v, register %v", id, cancelled, recorded, view.Lesson, view.Register != nil)
		}
	}
}
