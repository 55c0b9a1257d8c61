package domain

import (
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// LessonStatus is where a lesson stands.
type LessonStatus string

const (
	Scheduled LessonStatus = "scheduled"
	Cancelled LessonStatus = "cancelled"
)

// Lesson is one meeting of a class.
type Lesson struct {
	ID      string
	ClassID string
	Start   time.Time
	Minutes int
	Status  LessonStatus
	Extra   bool // added beside the weekly schedule
}

// CheckTime validates a lesson's start and length.
func CheckTime(start time.Time, minutes int) error {
	switch {
	case start.IsZero():
		return errcode.New(errcode.Invalid, "start", "is required")
	case minutes < 15 || minutes > 480:
		return errcode.New(errcode.Invalid, "minutes", "must be between 15 and 480")
	}
	return nil
}

// Cancel cancels a lesson that has no register.
func (l *Lesson) Cancel(hasRegister bool) error {
	switch {
	case l.Status == Cancelled:
		return errcode.New(errcode.Conflict, "lesson_id", "the lesson is already cancelled")
	case hasRegister:
		return errcode.New(errcode.Conflict, "lesson_id", "the lesson's register is recorded: correct it instead")
	}
	l.Status = Cancelled
	return nil
}

// Move sets a new start and length for a lesson without a register.
func (l *Lesson) Move(start time.Time, minutes int, hasRegister bool) error {
	if err := CheckTime(start, minutes); err != nil {
		return err
	}
	switch {
	case l.Status == Cancelled:
		return errcode.New(errcode.Conflict, "lesson_id", "the lesson was cancelled")
	case hasRegister:
		return errcode.New(errcode.Conflict, "lesson_id", "the lesson's register is recorded")
	}
	l.Start, l.Minutes = start.UTC(), minutes
	return nil
}
