package domain

import (
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
)

// Register is the attendance of one lesson of a class.
type Register struct {
	LessonID       string
	ClassID        string
	CourseID       string
	CourseKind     CourseKind
	Organisation   string
	register.Sheet // the marks, their corrections and the revision
	// PlannedMinutes is the class's planned time, for the events; not stored.
	PlannedMinutes int
	// Figures are each marked person's figures in the class with this
	// register counted, for the events; not stored.
	Figures map[string]register.Figures
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
		Organisation: class.Organisation, Figures: make(map[string]register.Figures, len(marks)),
		Sheet: register.Sheet{LessonStart: lesson.Start, LessonMinutes: lesson.Minutes, Marks: marks, RecordedBy: by, RecordedAt: now, Revision: 1},
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

// Locked reports whether the register of a lesson that started at start is
// closed to a teacher's corrections at now.
func Locked(start time.Time, lockAfter time.Duration, now time.Time) bool {
	return lockAfter > 0 && now.After(start.Add(lockAfter))
}
