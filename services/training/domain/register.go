package domain

import (
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
)

// Register is the attendance of one lesson, in the shared register model.
type Register struct {
	LessonID     string
	EditionID    string
	CourseID     string
	ModuleID     string
	ModuleKind   ModuleKind
	Organisation string
	register.Sheet
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
		Organisation: e.Organisation,
		Sheet:        register.Sheet{LessonStart: l.Start, LessonMinutes: l.Minutes, Marks: marks, RecordedBy: by, RecordedAt: now.UTC(), Revision: 1},
	}, nil
}

// Correct changes some lines of the register, keeping who, when and why.
// A closed module's registers are final: its results were published.
func (r *Register) Correct(e *Edition, changes []register.Mark, by, reason string, now time.Time) error {
	if slices.Contains(e.ClosedModules, r.ModuleID) {
		return errcode.New(errcode.Invalid, "lesson_id", "its module is closed: its registers are final")
	}
	return r.Sheet.Correct(changes, by, reason, now)
}
