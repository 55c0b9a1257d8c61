package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// Lesson is one scheduled lesson of a theory or practice module. Its id is
// its register's: moving a lesson keeps both.
type Lesson struct {
	ID        string
	EditionID string
	ModuleID  string
	Start     time.Time
	Minutes   int
	// Cancelled lessons hold no register, so they count in nobody's hours.
	Cancelled bool
	// Recorded is set just before the register is stored: from then on the
	// lesson can be neither cancelled nor moved. Should storing the register
	// then fail, the lesson stays so until a retry stores it: erring on the
	// side of the register, which the trainer was submitting.
	Recorded bool
	// Extra lessons were added after the edition was planned.
	Extra bool
}

// MaxLessons bounds an edition's schedule.
const MaxLessons = 400

// Bounds of a lesson's length, in minutes.
const (
	MinLessonMinutes = 15
	MaxLessonMinutes = 8 * 60
)

// CheckSchedule checks the lessons of a new edition of course, naming the
// first faulty field, e.g. "lessons[3].module_id".
func CheckSchedule(e *Edition, c *Course, lessons []Lesson) error {
	if len(lessons) > MaxLessons {
		return errcode.New(errcode.Invalid, "lessons", "must be at most %d", MaxLessons)
	}
	for i := range lessons {
		l := &lessons[i]
		prefix := fmt.Sprintf("lessons[%d].", i)
		if slices.ContainsFunc(lessons[:i], func(o Lesson) bool { return o.ID == l.ID }) {
			return errcode.New(errcode.Invalid, prefix+"id", "is listed twice")
		}
		if err := checkLesson(e, c, l, prefix); err != nil {
			return err
		}
		l.EditionID, l.Start = e.ID, l.Start.UTC()
	}
	return nil
}

// NewLesson checks an extra lesson for edition e of course c, e.g. to make
// up for a cancelled one.
func NewLesson(e *Edition, c *Course, l Lesson) (*Lesson, error) {
	if err := checkLesson(e, c, &l, ""); err != nil {
		return nil, err
	}
	if slices.Contains(e.ClosedModules, l.ModuleID) {
		return nil, errcode.New(errcode.Conflict, "module_id", "is closed: its results were published")
	}
	return &Lesson{ID: l.ID, EditionID: e.ID, ModuleID: l.ModuleID, Start: l.Start.UTC(), Minutes: l.Minutes, Extra: true}, nil
}

// checkLesson checks one lesson, naming fields after prefix.
func checkLesson(e *Edition, c *Course, l *Lesson, prefix string) error {
	m := c.Module(l.ModuleID)
	switch {
	case strings.TrimSpace(l.ID) == "":
		return errcode.New(errcode.Invalid, prefix+"id", "is required")
	case m == nil:
		return errcode.New(errcode.Invalid, prefix+"module_id", "is not a module of course %s", c.ID)
	case m.Kind == Internship:
		return errcode.New(errcode.Invalid, prefix+"module_id", "is an internship: its hours are recorded, not scheduled")
	}
	return checkTime(e, l.Start, l.Minutes, prefix)
}

func checkTime(e *Edition, start time.Time, minutes int, prefix string) error {
	switch {
	case start.IsZero():
		return errcode.New(errcode.Invalid, prefix+"start", "is required")
	case start.Before(e.Start) || !start.Before(e.End):
		return errcode.New(errcode.Invalid, prefix+"start", "must fall within the edition's dates")
	case minutes < MinLessonMinutes || minutes > MaxLessonMinutes:
		return errcode.New(errcode.Invalid, prefix+"minutes", "must be between %d and %d", MinLessonMinutes, MaxLessonMinutes)
	}
	return nil
}

// Cancel cancels a lesson of edition e whose register is not recorded
// (recorded says whether the registers hold one).
func (l *Lesson) Cancel(e *Edition, recorded bool) error {
	if err := l.changeable(e, recorded, "correct the register instead"); err != nil {
		return err
	}
	l.Cancelled = true
	return nil
}

// Move gives a lesson of edition e whose register is not recorded a new
// start and length; its id, and so its register's, stays.
func (l *Lesson) Move(e *Edition, start time.Time, minutes int, recorded bool) error {
	if err := checkTime(e, start, minutes, ""); err != nil {
		return err
	}
	if err := l.changeable(e, recorded, "it was held as recorded"); err != nil {
		return err
	}
	l.Start, l.Minutes = start.UTC(), minutes
	return nil
}

func (l *Lesson) changeable(e *Edition, recorded bool, hint string) error {
	switch {
	case l.Cancelled:
		return errcode.New(errcode.Conflict, "lesson_id", "the lesson is cancelled")
	case recorded || l.Recorded:
		return errcode.New(errcode.Conflict, "lesson_id", "the lesson's register is recorded: %s", hint)
	case slices.Contains(e.ClosedModules, l.ModuleID):
		return errcode.New(errcode.Conflict, "lesson_id", "its module is closed: its results were published")
	}
	return nil
}

// MarkRecorded marks the lesson as it was read (as) recorded, unless it was
// cancelled or moved since: then the register read for the old lesson
// must not be stored.
func (l *Lesson) MarkRecorded(as *Lesson) error {
	switch {
	case l.Cancelled:
		return errcode.New(errcode.Invalid, "lesson_id", "the lesson was cancelled")
	case !l.Start.Equal(as.Start) || l.Minutes != as.Minutes:
		return errcode.New(errcode.Conflict, "lesson_id", "the lesson was moved meanwhile: open it again")
	}
	l.Recorded = true
	return nil
}
