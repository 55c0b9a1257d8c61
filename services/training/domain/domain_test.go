package domain_test

import (
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/services/training/domain"
)

func course() *domain.Course {
	return &domain.Course{
		ID: "c1", Title: "Aiuto cuoco", RepertoireCode: "LAZ-1", Region: "Lazio", Sector: "ristorazione", Provider: "cfp", EQFLevel: 3,
		Modules: []domain.Module{
			{ID: "t", Title: "Teoria", Kind: domain.Theory, Hours: 10},
			{ID: "s", Title: "Stage", Kind: domain.Internship, Hours: 10},
		},
		Units: []domain.Unit{
			{Code: "U1", Title: "Igiene", ESCOSkills: []string{"esco:food-hygiene"}},
			{Code: "U2", Title: "Cucina", ESCOSkills: []string{"http://data.europa.eu/esco/skill/abc", "esco:food-hygiene"}},
		},
	}
}

// wantField fails unless err is a coded error of code naming field.
func wantField(t *testing.T, err error, code errcode.Code, field string) {
	t.Helper()
	e := errcode.As(err)
	if field == "" && code == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	if e == nil || e.Code != code || e.Field != field {
		t.Fatalf("got %v, want %s naming %q", err, code, field)
	}
}

func TestCourseValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(*domain.Course)
		field  string
	}{
		{"valid", func(*domain.Course) {}, ""},
		{"no title", func(c *domain.Course) { c.Title = " " }, "title"},
		{"no repertoire code", func(c *domain.Course) { c.RepertoireCode = "" }, "repertoire_code"},
		{"EQF 0", func(c *domain.Course) { c.EQFLevel = 0 }, "eqf_level"},
		{"share above all", func(c *domain.Course) { c.MinAttendanceBP = 10001 }, "min_attendance_bp"},
		{"no modules", func(c *domain.Course) { c.Modules = nil }, "modules"},
		{"module twice", func(c *domain.Course) { c.Modules[1].ID = "t" }, "modules[1].id"},
		{"module kind", func(c *domain.Course) { c.Modules[0].Kind = "lab" }, "modules[0].kind"},
		{"module hours", func(c *domain.Course) { c.Modules[1].Hours = 0 }, "modules[1].hours"},
		{"no units", func(c *domain.Course) { c.Units = nil }, "units"},
		{"unit twice", func(c *domain.Course) { c.Units[1].Code = "U1" }, "units[1].code"},
		{"unit without skills", func(c *domain.Course) { c.Units[0].ESCOSkills = nil }, "units[0].esco_skills"},
		{"not ESCO", func(c *domain.Course) { c.Units[1].ESCOSkills[0] = "cooking" }, "units[1].esco_skills[0]"},
		{"empty compact code", func(c *domain.Course) { c.Units[1].ESCOSkills[1] = "esco:" }, "units[1].esco_skills[1]"},
		{"occupation", func(c *domain.Course) { c.ESCOOccupation = "cook" }, "esco_occupation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := course()
			tc.change(c)
			err := c.Validate()
			if tc.field == "" {
				wantField(t, err, "", "")
				if c.MinAttendanceBP != domain.DefaultMinAttendanceBP || c.PlannedMinutes() != 1200 {
					t.Fatalf("defaults: %d bp, %d minutes", c.MinAttendanceBP, c.PlannedMinutes())
				}
				return
			}
			wantField(t, err, errcode.Invalid, tc.field)
		})
	}
}

var (
	start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now   = start.AddDate(0, 1, 0)
)

// edition returns an edition of course() with p1 and p2 enrolled, and p1
// placed at a host for the whole internship module.
func edition(t *testing.T) (*domain.Edition, *domain.Course) {
	t.Helper()
	c := course()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	e, err := domain.NewEdition("e1", c, []string{"tr"}, start, start.AddDate(0, 3, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"p1", "p2"} {
		if _, err := e.Enrol(p, "Name "+p, start); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.PlaceIntern(c, "p1", domain.Placement{ModuleID: "s", HostID: "h", HostName: "Host", Tutor: "Tutor", PlannedMinutes: 600}); err != nil {
		t.Fatal(err)
	}
	return e, c
}

// attended gives person minutes of theory.
func attended(minutes map[string]int) domain.Attendance {
	att := domain.Attendance{}
	for p, m := range minutes {
		att[p] = map[string]register.Figures{"t": {MinutesAttended: m, MinutesHeld: 600}}
	}
	return att
}

func TestRecordHours(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		person  string
		day     time.Time
		minutes int
		code    errcode.Code
		field   string
	}{
		{"a day", "p1", now.AddDate(0, 0, -1), 300, "", ""},
		{"no internship", "p2", now.AddDate(0, 0, -1), 300, errcode.Conflict, "person"},
		{"stranger", "p9", now.AddDate(0, 0, -1), 300, errcode.NotFound, "person"},
		{"tomorrow", "p1", now.AddDate(0, 0, 1), 300, errcode.Invalid, "day"},
		{"before the edition", "p1", start.AddDate(0, 0, -3), 300, errcode.Invalid, "day"},
		{"no minutes", "p1", now.AddDate(0, 0, -1), 0, errcode.Invalid, "minutes"},
		{"a long day", "p1", now.AddDate(0, 0, -1), domain.MaxDayMinutes + 1, errcode.Invalid, "minutes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, _ := edition(t)
			f, err := e.RecordHours(tc.person, tc.day, tc.minutes, now)
			wantField(t, err, tc.code, tc.field)
			if err == nil && f == nil {
				t.Fatal("a new day has no fact")
			}
		})
	}
	t.Run("retry, change and the planned total", func(t *testing.T) {
		t.Parallel()
		e, _ := edition(t)
		day := now.AddDate(0, 0, -2)
		if _, err := e.RecordHours("p1", day, 300, now); err != nil {
			t.Fatal(err)
		}
		if f, err := e.RecordHours("p1", day.Add(3*time.Hour), 300, now); err != nil || f != nil {
			t.Fatalf("retry of the same day: %v, %v", f, err)
		}
		_, err := e.RecordHours("p1", day, 200, now)
		wantField(t, err, errcode.Conflict, "day")
		_, err = e.RecordHours("p1", day.AddDate(0, 0, 1), 301, now)
		wantField(t, err, errcode.Invalid, "minutes")
		if got := e.Find("p1").Internship.Done(); got != 300 {
			t.Fatalf("done %d minutes, want 300", got)
		}
	})
}

func TestRecordExam(t *testing.T) {
	t.Parallel()
	// p1: 600 of theory and 600 of internship (all 1200); p2: 600 of
	// theory, short of 70% (840).
	setUp := func(t *testing.T) (*domain.Edition, *domain.Course, domain.Attendance) {
		e, c := edition(t)
		for d := range 2 {
			if _, err := e.RecordHours("p1", now.AddDate(0, 0, -d-1), 300, now); err != nil {
				t.Fatal(err)
			}
		}
		return e, c, attended(map[string]int{"p1": 600, "p2": 600})
	}
	cases := []struct {
		name    string
		results []domain.Result
		field   string
	}{
		{"pass", []domain.Result{{Person: "p1", Outcome: domain.Passed, Score: 75}}, ""},
		{"fail with a unit", []domain.Result{{Person: "p1", Outcome: domain.Failed, Score: 40, UnitsPassed: []string{"U1"}}}, ""},
		{"absent", []domain.Result{{Person: "p1", Outcome: domain.AbsentAtExam}}, ""},
		{"nobody", nil, "results"},
		{"not admitted", []domain.Result{{Person: "p2", Outcome: domain.Failed, Score: 10}}, "results[0].person"},
		{"twice", []domain.Result{{Person: "p1", Outcome: domain.Passed, Score: 75}, {Person: "p1", Outcome: domain.Passed, Score: 75}}, "results[1].person"},
		{"pass too low", []domain.Result{{Person: "p1", Outcome: domain.Passed, Score: 59}}, "results[0].score"},
		{"fail too high", []domain.Result{{Person: "p1", Outcome: domain.Failed, Score: 60}}, "results[0].score"},
		{"score above 100", []domain.Result{{Person: "p1", Outcome: domain.Passed, Score: 101}}, "results[0].score"},
		{"pass with units", []domain.Result{{Person: "p1", Outcome: domain.Passed, Score: 80, UnitsPassed: []string{"U1"}}}, "results[0].units_passed"},
		{"fail with every unit", []domain.Result{{Person: "p1", Outcome: domain.Failed, Score: 50, UnitsPassed: []string{"U1", "U2"}}}, "results[0].units_passed"},
		{"unknown unit", []domain.Result{{Person: "p1", Outcome: domain.Failed, Score: 50, UnitsPassed: []string{"U7"}}}, "results[0].units_passed[0]"},
		{"absent with a score", []domain.Result{{Person: "p1", Outcome: domain.AbsentAtExam, Score: 30}}, "results[0].outcome"},
		{"no outcome", []domain.Result{{Person: "p1", Score: 30}}, "results[0].outcome"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, c, att := setUp(t)
			facts, err := e.RecordExam(c, now, tc.results, att, now)
			if tc.field != "" {
				wantField(t, err, errcode.Invalid, tc.field)
				if e.Find("p1").Exam != nil || e.Find("p1").Status != domain.Enrolled {
					t.Fatal("a refused session changed the edition")
				}
				return
			}
			wantField(t, err, "", "")
			en := e.Find("p1")
			switch tc.results[0].Outcome {
			case domain.Passed:
				if !en.Qualified || en.Status != domain.Completed || len(en.CertifiedUnits) != 2 || len(facts) != 2 {
					t.Fatalf("pass: %+v, %d facts", en, len(facts))
				}
			case domain.Failed:
				if en.Qualified || en.Status != domain.Completed || len(en.CertifiedUnits) != 1 || len(facts) != 2 {
					t.Fatalf("fail with a unit: %+v, %d facts", en, len(facts))
				}
			case domain.AbsentAtExam:
				if en.Status != domain.Enrolled || len(facts) != 1 {
					t.Fatalf("absent: %+v, %d facts", en, len(facts))
				}
			}
		})
	}
}

func TestEnrolmentLifecycle(t *testing.T) {
	t.Parallel()
	e, c := edition(t)
	_, err := e.Enrol("p1", "Again", start)
	wantField(t, err, errcode.Conflict, "person")
	_, err = e.Enrol("p3", "Late", e.End)
	wantField(t, err, errcode.Invalid, "edition_id")
	wantField(t, e.Resume("p1"), errcode.Conflict, "person")
	wantField(t, e.Suspend("p1", ""), errcode.Invalid, "note")
	wantField(t, e.Suspend("p1", "ricovero"), "", "")
	if got := e.Expected(); len(got) != 1 || got[0] != "p2" {
		t.Fatalf("a suspended person is expected in registers: %v", got)
	}
	_, err = e.RecordHours("p1", now.AddDate(0, 0, -1), 60, now)
	wantField(t, err, errcode.Conflict, "person")
	wantField(t, e.Resume("p1"), "", "")
	att := attended(map[string]int{"p1": 120})
	facts, err := e.Withdraw(c, "p1", "work", "assunta", []string{"U2"}, att)
	wantField(t, err, "", "")
	if len(facts) != 2 || e.Find("p1").Status != domain.Withdrawn {
		t.Fatalf("withdrawal: %d facts, %+v", len(facts), e.Find("p1"))
	}
	if w := facts[0].(domain.WithdrawnFact); w.MinutesAttended != 120 || w.Reason != "work" {
		t.Fatalf("withdrawn fact %+v", w)
	}
	_, err = e.Withdraw(c, "p1", "work", "", nil, att)
	wantField(t, err, errcode.Conflict, "person")
	_, err = e.Withdraw(c, "p2", "bored", "", nil, att)
	wantField(t, err, errcode.Invalid, "reason")
}

func TestCloseModule(t *testing.T) {
	t.Parallel()
	e, c := edition(t)
	if _, err := e.RecordHours("p1", now.AddDate(0, 0, -1), 480, now); err != nil {
		t.Fatal(err)
	}
	facts, err := e.CloseModule(c, "s", attended(nil))
	wantField(t, err, "", "")
	got := map[string]domain.ModuleResult{}
	for _, f := range facts {
		m := f.(domain.ModuleCompletedFact)
		got[m.Person] = m.Result
	}
	// 480 of 600 planned is 80%: reached; p2 did none.
	if !got["p1"].Reached || got["p1"].MinutesAttended != 480 || got["p2"].Reached || len(got) != 2 {
		t.Fatalf("module results %+v", got)
	}
	_, err = e.CloseModule(c, "s", nil)
	wantField(t, err, errcode.Conflict, "module_id")
	_, err = e.CloseModule(c, "x", nil)
	wantField(t, err, errcode.NotFound, "module_id")
}

// A register read for a lesson is stored only if the lesson is still as
// read: not cancelled, not moved meanwhile.
func TestMarkRecorded(t *testing.T) {
	t.Parallel()
	read := domain.Lesson{ID: "l1", ModuleID: "t", Start: start.AddDate(0, 0, 1), Minutes: 120}
	cases := []struct {
		name   string
		change func(*domain.Lesson)
		code   errcode.Code
	}{
		{"unchanged", func(*domain.Lesson) {}, ""},
		{"recorded already (a retry)", func(l *domain.Lesson) { l.Recorded = true }, ""},
		{"cancelled meanwhile", func(l *domain.Lesson) { l.Cancelled = true }, errcode.Invalid},
		{"moved meanwhile", func(l *domain.Lesson) { l.Start = l.Start.Add(time.Hour) }, errcode.Conflict},
		{"shortened meanwhile", func(l *domain.Lesson) { l.Minutes = 60 }, errcode.Conflict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := read
			tc.change(&now)
			err := now.MarkRecorded(&read)
			if tc.code == "" {
				wantField(t, err, "", "")
				if !now.Recorded {
					t.Fatal("not marked recorded")
				}
				return
			}
			wantField(t, err, tc.code, "lesson_id")
		})
	}
}

func TestCancelAndMove(t *testing.T) {
	t.Parallel()
	e, _ := edition(t)
	l := domain.Lesson{ID: "l1", ModuleID: "t", Start: start.AddDate(0, 0, 1), Minutes: 120}
	wantField(t, l.Move(e, start.AddDate(0, 0, -1), 120, false), errcode.Invalid, "start")
	wantField(t, l.Move(e, start.AddDate(0, 0, 2), 5, false), errcode.Invalid, "minutes")
	wantField(t, l.Move(e, start.AddDate(0, 0, 2), 90, true), errcode.Conflict, "lesson_id")
	wantField(t, l.Move(e, start.AddDate(0, 0, 2), 90, false), "", "")
	if l.ID != "l1" || !l.Start.Equal(start.AddDate(0, 0, 2)) || l.Minutes != 90 {
		t.Fatalf("moved %+v", l)
	}
	wantField(t, l.Cancel(e, true), errcode.Conflict, "lesson_id")
	wantField(t, l.Cancel(e, false), "", "")
	wantField(t, l.Cancel(e, false), errcode.Conflict, "lesson_id")
	wantField(t, l.Move(e, start.AddDate(0, 0, 3), 90, false), errcode.Conflict, "lesson_id")
}
