package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
)

// Attendance is each person's register figures by module, tallied from an
// edition's registers: person -> module -> figures.
type Attendance map[string]map[string]register.Figures

// Tally counts registers, which must be in the order their lessons were held.
func Tally(regs []*Register) Attendance {
	att := Attendance{}
	for _, r := range regs {
		for _, m := range r.Marks {
			if att[m.Person] == nil {
				att[m.Person] = map[string]register.Figures{}
			}
			f := att[m.Person][r.ModuleID]
			f.Add(m, r.LessonMinutes)
			att[m.Person][r.ModuleID] = f
		}
	}
	return att
}

// Total is the minutes person attended in all modules' lessons.
func (a Attendance) Total(person string) int {
	total := 0
	for _, f := range a[person] {
		total += f.MinutesAttended
	}
	return total
}

// Attended is the minutes person has towards the course: lessons attended
// plus internship done.
func (e *Edition) Attended(person string, att Attendance) int {
	total := att.Total(person)
	if en := e.Find(person); en != nil && en.Internship != nil {
		total += en.Internship.Done()
	}
	return total
}

// Admitted reports whether person reached the course's minimum attendance
// to sit the exam.
func (e *Edition) Admitted(c *Course, person string, att Attendance) bool {
	f := register.Figures{MinutesAttended: e.Attended(person, att)}
	return f.Reaches(c.MinAttendanceBP, c.PlannedMinutes())
}

// CloseModule ends module for everyone still on the course: each gets
// their minutes attended against those planned.
func (e *Edition) CloseModule(c *Course, moduleID string, att Attendance) ([]Fact, error) {
	m := c.Module(moduleID)
	switch {
	case m == nil:
		return nil, errcode.New(errcode.NotFound, "module_id", "is not a module of course %s", c.ID)
	case slices.Contains(e.ClosedModules, moduleID):
		return nil, errcode.New(errcode.Conflict, "module_id", "was already closed")
	}
	planned := m.Hours * 60
	var facts []Fact
	for i := range e.Roster {
		en := &e.Roster[i]
		if en.Status != Enrolled && en.Status != Suspended {
			continue
		}
		attended := att[en.Person][moduleID].MinutesAttended
		if m.Kind == Internship {
			attended = 0
			if en.Internship != nil && en.Internship.ModuleID == moduleID {
				attended = en.Internship.Done()
			}
		}
		f := register.Figures{MinutesAttended: attended}
		r := ModuleResult{ModuleID: moduleID, MinutesPlanned: planned, MinutesAttended: attended, Reached: f.Reaches(c.MinAttendanceBP, planned)}
		en.Modules = append(en.Modules, r)
		facts = append(facts, ModuleCompletedFact{Person: en.Person, Module: *m, Result: r, CourseMinutes: e.Attended(en.Person, att)})
	}
	e.ClosedModules = append(e.ClosedModules, moduleID)
	return facts, nil
}

// PlaceIntern sets (or replaces, before any hours are recorded) a person's
// internship at a host company.
func (e *Edition) PlaceIntern(c *Course, person string, p Placement) error {
	en, err := e.enrolment(person, "person")
	if err != nil {
		return err
	}
	m := c.Module(p.ModuleID)
	switch {
	case en.Status != Enrolled:
		return errcode.New(errcode.Conflict, "person", "is %s, not enrolled", en.Status)
	case m == nil || m.Kind != Internship:
		return errcode.New(errcode.Invalid, "module_id", "is not an internship module of course %s", c.ID)
	case strings.TrimSpace(p.HostID) == "":
		return errcode.New(errcode.Invalid, "host_id", "is required")
	case strings.TrimSpace(p.HostName) == "":
		return errcode.New(errcode.Invalid, "host_name", "is required")
	case strings.TrimSpace(p.Tutor) == "":
		return errcode.New(errcode.Invalid, "tutor", "is required: the host's employee who follows the intern")
	case p.PlannedMinutes < 60 || p.PlannedMinutes > m.Hours*60:
		return errcode.New(errcode.Invalid, "planned_hours", "must be between 1 and the module's %d hours", m.Hours)
	case en.Internship != nil && len(en.Internship.Days) > 0:
		return errcode.New(errcode.Conflict, "person", "has internship hours recorded already")
	}
	p.Days, p.Evaluation = []Day{}, nil
	en.Internship = &p
	return nil
}

// MaxDayMinutes bounds one day's internship.
const MaxDayMinutes = 10 * 60

// RecordHours records minutes done at the host on day (a date). The same
// minutes for a day already recorded are a harmless retry (no fact);
// different ones are a conflict.
func (e *Edition) RecordHours(person string, day time.Time, minutes int, now time.Time) (Fact, error) {
	en, err := e.enrolment(person, "person")
	if err != nil {
		return nil, err
	}
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case en.Internship == nil:
		return nil, errcode.New(errcode.Conflict, "person", "has no internship")
	case en.Status != Enrolled:
		return nil, errcode.New(errcode.Conflict, "person", "is %s, not enrolled", en.Status)
	case day.IsZero():
		return nil, errcode.New(errcode.Invalid, "day", "is required")
	case day.After(now):
		return nil, errcode.New(errcode.Invalid, "day", "is in the future")
	case day.Before(e.Start.Truncate(24 * time.Hour)):
		return nil, errcode.New(errcode.Invalid, "day", "is before the edition started")
	case minutes < 1 || minutes > MaxDayMinutes:
		return nil, errcode.New(errcode.Invalid, "minutes", "must be between 1 and %d", MaxDayMinutes)
	}
	p := en.Internship
	for _, d := range p.Days {
		if d.On.Equal(day) {
			if d.Minutes == minutes {
				return nil, nil
			}
			return nil, errcode.New(errcode.Conflict, "day", "has %d minutes recorded already", d.Minutes)
		}
	}
	if p.Done()+minutes > p.PlannedMinutes {
		return nil, errcode.New(errcode.Invalid, "minutes", "would exceed the %d planned minutes (%d done)", p.PlannedMinutes, p.Done())
	}
	p.Days = append(p.Days, Day{On: day, Minutes: minutes})
	return InternshipHoursFact{Person: person, Placement: *p, Day: day, Minutes: minutes}, nil
}

// Evaluate records the host tutor's evaluation of an internship.
func (e *Edition) Evaluate(person string, ev Evaluation) error {
	en, err := e.enrolment(person, "person")
	if err != nil {
		return err
	}
	switch {
	case en.Internship == nil:
		return errcode.New(errcode.Conflict, "person", "has no internship")
	case len(en.Internship.Days) == 0:
		return errcode.New(errcode.Conflict, "person", "has no internship hours yet")
	case ev.Rating < 1 || ev.Rating > 5:
		return errcode.New(errcode.Invalid, "rating", "must be between 1 (insufficient) and 5 (excellent)")
	case len(ev.Note) > 2000:
		return errcode.New(errcode.Invalid, "note", "must be at most 2000 characters")
	}
	en.Internship.Evaluation = &ev
	return nil
}

// Result is one line of an exam session as the board records it.
type Result struct {
	Person      string
	Outcome     ExamOutcome
	Score       int
	UnitsPassed []string
}

// PassMark is the lowest passing score out of 100.
const PassMark = 60

// RecordExam records a final exam session: every person listed must be
// enrolled and admitted. A pass awards the qualification (all units);
// otherwise the units passed, if any, are certified.
func (e *Edition) RecordExam(c *Course, heldOn time.Time, results []Result, att Attendance, now time.Time) ([]Fact, error) {
	switch {
	case heldOn.IsZero():
		return nil, errcode.New(errcode.Invalid, "held_on", "is required")
	case heldOn.After(now):
		return nil, errcode.New(errcode.Invalid, "held_on", "is in the future")
	case heldOn.Before(e.Start):
		return nil, errcode.New(errcode.Invalid, "held_on", "is before the edition started")
	case len(results) == 0:
		return nil, errcode.New(errcode.Invalid, "results", "must list who sat the exam")
	}
	// Check every line before changing anything: a session is stored whole.
	for i, r := range results {
		field := func(name string) string { return fmt.Sprintf("results[%d].%s", i, name) }
		en := e.Find(r.Person)
		switch {
		case r.Person == "":
			return nil, errcode.New(errcode.Invalid, field("person"), "is required")
		case en == nil:
			return nil, errcode.New(errcode.Invalid, field("person"), "is not enrolled in this edition")
		case en.Status != Enrolled:
			return nil, errcode.New(errcode.Invalid, field("person"), "is %s, not enrolled", en.Status)
		case slices.ContainsFunc(results[:i], func(o Result) bool { return o.Person == r.Person }):
			return nil, errcode.New(errcode.Invalid, field("person"), "is listed twice")
		case !e.Admitted(c, r.Person, att):
			return nil, errcode.New(errcode.Invalid, field("person"), "is not admitted: attended %d of the %d minutes needed",
				e.Attended(r.Person, att), (c.PlannedMinutes()*c.MinAttendanceBP+9999)/10000)
		case r.Score < 0 || r.Score > 100:
			return nil, errcode.New(errcode.Invalid, field("score"), "must be between 0 and 100")
		}
		switch r.Outcome {
		case Passed:
			if r.Score < PassMark {
				return nil, errcode.New(errcode.Invalid, field("score"), "of a pass must be at least %d", PassMark)
			}
			if len(r.UnitsPassed) > 0 {
				return nil, errcode.New(errcode.Invalid, field("units_passed"), "must be left out on a pass: it certifies every unit")
			}
		case Failed:
			if r.Score >= PassMark {
				return nil, errcode.New(errcode.Invalid, field("score"), "of a fail must be below %d", PassMark)
			}
			if len(r.UnitsPassed) == len(c.Units) {
				return nil, errcode.New(errcode.Invalid, field("units_passed"), "lists every unit: that is a pass")
			}
		case AbsentAtExam:
			if r.Score != 0 || len(r.UnitsPassed) > 0 {
				return nil, errcode.New(errcode.Invalid, field("outcome"), "absent takes no score and no units")
			}
		case "":
			return nil, errcode.New(errcode.Invalid, field("outcome"), "is required")
		default:
			return nil, errcode.New(errcode.Invalid, field("outcome"), "must be passed, failed or absent")
		}
		if err := checkUnits(c, r.UnitsPassed, field("units_passed")); err != nil {
			return nil, err
		}
	}
	heldOn = heldOn.UTC()
	var facts []Fact
	for _, r := range results {
		en := e.Find(r.Person)
		units := r.UnitsPassed
		if r.Outcome == Passed {
			units = c.UnitCodes()
		}
		en.Exam = &ExamResult{HeldOn: heldOn, Outcome: r.Outcome, Score: r.Score, UnitsPassed: units}
		facts = append(facts, ExamFact{Person: r.Person, Result: *en.Exam, MinutesAttended: e.Attended(r.Person, att)})
		switch {
		case r.Outcome == Passed:
			en.Status, en.Qualified, en.CertifiedUnits = Completed, true, units
			facts = append(facts, QualifiedFact{Person: r.Person})
		case len(units) > 0:
			en.Status, en.CertifiedUnits = Completed, units
			facts = append(facts, CertifiedFact{Person: r.Person, Units: units})
		}
	}
	return facts, nil
}
