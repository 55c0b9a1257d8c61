package domain

import (
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
)

// Register is the attendance of one lesson. Its events are derived from it
// by the store adapter and stored with it in one write.
type Register struct {
	LessonID      string
	ClassID       string
	CourseID      string
	CourseKind    CourseKind
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
	// PlannedMinutes is the class's planned time, for the events; not stored.
	PlannedMinutes int
	// Figures are each marked person's figures in the class with this
	// register counted, for the events; not stored.
	Figures map[string]register.Figures
	// Changed are the corrections of the latest write, for its events.
	Changed []register.Correction
}

// NewRegister checks marks for lesson of class and returns the register.
func NewRegister(class *Class, lesson *Lesson, marks []register.Mark, by string, now time.Time) (*Register, error) {
	switch {
	case lesson.Status == Cancelled:
		return nil, errcode.New(errcode.Invalid, "lesson_id", "the lesson was cancelled")
	case now.Before(lesson.Start):
		return nil, errcode.New(errcode.Invalid, "lesson_id", "the lesson has not started yet")
	}
	if err := register.Check(marks, class.Expected(), lesson.Minutes); err != nil {
		return nil, err
	}
	r := &Register{
		LessonID: lesson.ID, ClassID: class.ID, CourseID: class.CourseID, CourseKind: class.CourseKind,
		Organisation: class.Organisation, LessonStart: lesson.Start, LessonMinutes: lesson.Minutes,
		Marks: marks, RecordedBy: by, RecordedAt: now, Revision: 1,
		Figures: make(map[string]register.Figures, len(marks)),
	}
	counted := slices.Contains(class.Counted, lesson.ID)
	for _, m := range marks {
		if e := class.Find(m.Person); e != nil {
			f := e.Figures
			if !counted {
				f.Add(m, lesson.Minutes)
			}
			r.Figures[m.Person] = f
		}
	}
	return r, nil
}

// SameMarks reports whether r records exactly marks (a retried submission).
func (r *Register) SameMarks(marks []register.Mark) bool {
	return slices.Equal(r.Marks, marks)
}

// Correct changes some lines of the register, keeping the history.
func (r *Register) Correct(changes []register.Mark, by, reason string, now time.Time) error {
	marks, cs, err := register.Correct(r.Marks, changes, r.LessonMinutes, by, reason, now)
	if err != nil {
		return err
	}
	r.Marks, r.Changed = marks, cs
	r.Corrections = append(r.Corrections, cs...)
	r.Revision++
	return nil
}

// Locked reports whether the register of a lesson that started at start is
// closed to a teacher's corrections at now.
func Locked(start time.Time, lockAfter time.Duration, now time.Time) bool {
	return lockAfter > 0 && now.After(start.Add(lockAfter))
}
