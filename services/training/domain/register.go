package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
)

// Lesson is one scheduled lesson of a theory or practice module.
type Lesson struct {
	ID        string
	EditionID string
	ModuleID  string
	Start     time.Time
	Minutes   int
	Cancelled bool
}

// MaxLessons bounds an edition's schedule.
const MaxLessons = 400

// CheckSchedule checks the lessons of a new edition of course, naming the
// first faulty field, e.g. "lessons[3].module_id".
func CheckSchedule(e *Edition, c *Course, lessons []Lesson) error {
	if len(lessons) > MaxLessons {
		return errcode.New(errcode.Invalid, "lessons", "must be at most %d", MaxLessons)
	}
	for i := range lessons {
		l := &lessons[i]
		field := func(name string) string { return fmt.Sprintf("lessons[%d].%s", i, name) }
		m := c.Module(l.ModuleID)
		switch {
		case strings.TrimSpace(l.ID) == "":
			return errcode.New(errcode.Invalid, field("id"), "is required")
		case slices.ContainsFunc(lessons[:i], func(o Lesson) bool { return o.ID == l.ID }):
			return errcode.New(errcode.Invalid, field("id"), "is listed twice")
		case m == nil:
			return errcode.New(errcode.Invalid, field("module_id"), "is not a module of course %s", c.ID)
		case m.Kind == Internship:
			return errcode.New(errcode.Invalid, field("module_id"), "is an internship: its hours are recorded, not scheduled")
		case l.Start.Before(e.Start) || !l.Start.Before(e.End):
			return errcode.New(errcode.Invalid, field("start"), "must fall within the edition's dates")
		case l.Minutes < 15 || l.Minutes > 8*60:
			return errcode.New(errcode.Invalid, field("minutes"), "must be between 15 and 480")
		}
		l.EditionID, l.Start = e.ID, l.Start.UTC()
	}
	return nil
}

// Register is the attendance of one lesson, in the shared register model.
type Register struct {
	LessonID      string
	EditionID     string
	CourseID      string
	ModuleID      string
	ModuleKind    ModuleKind
	Organisation  string
	LessonStart   time.Time
	LessonMinutes int
	Marks         []register.Mark
	RecordedBy    string
	RecordedAt    time.Time
	// Corrections is the history of changes after recording, oldest first.
	Corrections []register.Correction
	// Revision counts the writes: 1 when recorded, +1 per correction.
	Revision int
	// Changed are the corrections of the latest write, for its events;
	// not stored.
	Changed []register.Correction
}

// NewRegister checks marks for lesson of edition and returns the register.
func NewRegister(e *Edition, c *Course, l *Lesson, marks []register.Mark, by string, now time.Time) (*Register, error) {
	switch {
	case l.Cancelled:
		return nil, errcode.New(errcode.Invalid, "lesson_id", "the lesson was cancelled")
	case now.Before(l.Start):
		return nil, errcode.New(errcode.Invalid, "lesson_id", "the lesson has not started yet")
	case slices.Contains(e.ClosedModules, l.ModuleID):
		return nil, errcode.New(errcode.Invalid, "lesson_id", "its module is closed")
	}
	if err := register.Check(marks, e.Expected(), l.Minutes); err != nil {
		return nil, err
	}
	kind := ModuleKind("")
	if m := c.Module(l.ModuleID); m != nil {
		kind = m.Kind
	}
	return &Register{
		LessonID: l.ID, EditionID: e.ID, CourseID: e.CourseID, ModuleID: l.ModuleID, ModuleKind: kind,
		Organisation: e.Organisation, LessonStart: l.Start, LessonMinutes: l.Minutes,
		Marks: marks, RecordedBy: by, RecordedAt: now.UTC(), Revision: 1,
	}, nil
}

// Correct changes some lines of the register, keeping who, when and why.
// A closed module's registers are final: its results were published.
func (r *Register) Correct(e *Edition, changes []register.Mark, by, reason string, now time.Time) error {
	if slices.Contains(e.ClosedModules, r.ModuleID) {
		return errcode.New(errcode.Invalid, "lesson_id", "its module is closed: its registers are final")
	}
	marks, cs, err := register.Correct(r.Marks, changes, r.LessonMinutes, by, reason, now)
	if err != nil {
		return err
	}
	r.Marks, r.Changed = marks, cs
	r.Corrections = append(r.Corrections, cs...)
	r.Revision++
	return nil
}

// SameMarks reports whether r records exactly marks (a retried submission).
func (r *Register) SameMarks(marks []register.Mark) bool { return slices.Equal(r.Marks, marks) }
