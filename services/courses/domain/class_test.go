package domain_test

import (
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/services/courses/domain"
)

var rome = domain.DefaultConfig().Location

func TestLessonsFollowTheScheduleAcrossClockChanges(t *testing.T) {
	t.Parallel()
	// Summer time ends in Rome on Sunday 25 October 2026: the lessons stay
	// at 9:00 on the wall clock, an hour later in UTC.
	c := &domain.Class{
		ID: "c", StartDate: time.Date(2026, 10, 19, 0, 0, 0, 0, rome), EndDate: time.Date(2026, 10, 30, 0, 0, 0, 0, rome),
		Schedule: []domain.Slot{{Weekday: time.Monday, Start: "09:00", Minutes: 120}, {Weekday: time.Thursday, Start: "18:30", Minutes: 90}},
	}
	ls := c.Lessons(rome)
	want := []struct {
		id    string
		start time.Time
		min   int
	}{
		{"c-20261019-0900", time.Date(2026, 10, 19, 7, 0, 0, 0, time.UTC), 120},
		{"c-20261022-1830", time.Date(2026, 10, 22, 16, 30, 0, 0, time.UTC), 90},
		{"c-20261026-0900", time.Date(2026, 10, 26, 8, 0, 0, 0, time.UTC), 120},
		{"c-20261029-1830", time.Date(2026, 10, 29, 17, 30, 0, 0, time.UTC), 90},
	}
	if len(ls) != len(want) {
		t.Fatalf("%d lessons, want %d: %+v", len(ls), len(want), ls)
	}
	for i, w := range want {
		if ls[i].ID != w.id || !ls[i].Start.Equal(w.start) || ls[i].Minutes != w.min || ls[i].ClassID != "c" {
			t.Errorf("lesson %d = %+v, want %+v", i, ls[i], w)
		}
	}
}

func TestCheckNew(t *testing.T) {
	t.Parallel()
	ok := func() *domain.Class {
		return &domain.Class{
			ID: "c", Title: "A2", Teachers: []string{"t"}, Capacity: 20,
			StartDate: time.Date(2026, 9, 14, 0, 0, 0, 0, rome), EndDate: time.Date(2027, 5, 28, 0, 0, 0, 0, rome),
			Schedule: []domain.Slot{{Weekday: time.Monday, Start: "09:00", Minutes: 120}},
		}
	}
	cases := []struct {
		name   string
		change func(*domain.Class)
		field  string
	}{
		{"valid", func(*domain.Class) {}, ""},
		{"no teacher", func(c *domain.Class) { c.Teachers = nil }, "teachers"},
		{"empty teacher", func(c *domain.Class) { c.Teachers = []string{""} }, "teachers[0]"},
		{"negative capacity", func(c *domain.Class) { c.Capacity = -1 }, "capacity"},
		{"ends before it starts", func(c *domain.Class) { c.EndDate = c.StartDate.AddDate(0, 0, -1) }, "end_date"},
		{"longer than a school year", func(c *domain.Class) { c.EndDate = c.StartDate.AddDate(2, 0, 0) }, "end_date"},
		{"no schedule", func(c *domain.Class) { c.Schedule = nil }, "schedule"},
		{"bad time", func(c *domain.Class) { c.Schedule[0].Start = "9:5" }, "schedule[0].start"},
		{"hour 24", func(c *domain.Class) { c.Schedule[0].Start = "24:00" }, "schedule[0].start"},
		{"too short", func(c *domain.Class) { c.Schedule[0].Minutes = 5 }, "schedule[0].minutes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := ok()
			tc.change(c)
			err := c.CheckNew()
			if e := errcode.As(err); (tc.field == "" && err != nil) || (tc.field != "" && (e == nil || e.Field != tc.field)) {
				t.Fatalf("err = %v, want field %q", err, tc.field)
			}
		})
	}
}

func TestWaitingListTakesFreedPlaces(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	c := &domain.Class{ID: "c", Capacity: 2}
	for _, p := range []string{"p1", "p2", "p3", "p4"} {
		if _, _, err := c.Enrol(p, "N", now); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.Expected()) != 2 || len(c.Waiting) != 2 {
		t.Fatalf("expected %v, waiting %v", c.Expected(), c.Waiting)
	}
	if _, _, err := c.Enrol("p3", "N", now); errcode.Of(err) != errcode.Conflict {
		t.Fatalf("enrolling a waiting person again: %v", err)
	}
	facts, err := c.Leave("p1", domain.Withdrawn, "moved", "", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(facts) != 2 || facts[0].Kind != domain.FactWithdrawn || facts[1].Kind != domain.FactEnrolled || facts[1].Person != "p3" {
		t.Fatalf("facts %+v: p1 withdrawn, then p3 enrolled from the waiting list", facts)
	}
	// Suspended people keep their place.
	if err := c.Suspend("p2", true, now); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Arrive("p9", "N", "other", register.Figures{MinutesAttended: 600}, now); errcode.Of(err) != errcode.Conflict {
		t.Fatalf("a transfer into a full class: %v", err)
	}
	if _, err := c.Leave("p1", domain.Withdrawn, "moved", "", "", now); errcode.Of(err) != errcode.NotFound {
		t.Fatalf("withdrawing twice: %v", err)
	}
	if _, err := c.Leave("p2", domain.Withdrawn, "bored", "", "", now); errcode.As(err) == nil || errcode.As(err).Field != "reason" {
		t.Fatalf("an unknown reason: %v", err)
	}
}

func TestCountingRegisters(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	c := &domain.Class{ID: "c", PlannedMinutes: 600, Roster: []domain.Enrolment{
		{Person: "p1", Status: domain.Enrolled},
		{Person: "p2", Status: domain.Enrolled, Carried: register.Figures{MinutesAttended: 300, MinutesHeld: 300}, Figures: register.Figures{MinutesAttended: 300, MinutesHeld: 300}},
	}}
	reg := func(l int, p1, p2 register.Status) *domain.Register {
		m := func(p string, s register.Status) register.Mark {
			if s == register.Present {
				return register.Mark{Person: p, Status: s, Minutes: 60}
			}
			return register.Mark{Person: p, Status: s}
		}
		return &domain.Register{LessonID: string(rune('a' + l)), Sheet: register.Sheet{LessonStart: day.AddDate(0, 0, l), LessonMinutes: 60, Marks: []register.Mark{m("p1", p1), m("p2", p2)}}}
	}
	var alerts []domain.Fact
	regs := []*domain.Register{
		reg(1, register.Absent, register.Present), reg(2, register.Absent, register.Present),
		reg(3, register.Absent, register.Present), reg(4, register.Absent, register.Present),
	}
	for _, r := range regs {
		alerts = append(alerts, c.Count(r, 3)...)
		alerts = append(alerts, c.Count(r, 3)...) // counted once only
	}
	if len(alerts) != 1 || alerts[0].Person != "p1" || alerts[0].LessonID != "d" {
		t.Fatalf("alerts %+v: one when p1's run reaches 3", alerts)
	}
	// A register of an earlier lesson, recorded late, counts for hours only.
	early := reg(0, register.Present, register.Present)
	c.Count(early, 3)
	regs = append(regs, early)
	p1, p2 := c.Find("p1").Figures, c.Find("p2").Figures
	if p1.ConsecutiveAbsences != 4 || p1.MinutesAttended != 60 || p1.LessonsHeld != 5 {
		t.Fatalf("p1 %+v", p1)
	}
	if p2.MinutesAttended != 600 || !c.Admitted(c.Find("p2"), 7000) || c.Admitted(c.Find("p1"), 7000) {
		t.Fatalf("p2 %+v: 300 carried + 300 here reach 70%% of 600", p2)
	}
	// Recounting from the registers gives the same figures, and no alert
	// for a run that was already reached.
	if alerts := c.Recount(regs, 3, day); len(alerts) != 0 {
		t.Fatalf("recount alerts %+v", alerts)
	}
	if c.Find("p1").Figures != p1 || c.Find("p2").Figures != p2 {
		t.Fatalf("recount %+v %+v, want %+v %+v", c.Find("p1").Figures, c.Find("p2").Figures, p1, p2)
	}
}
