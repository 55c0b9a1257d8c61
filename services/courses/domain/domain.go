// Package domain holds the courses service's entities and rules: classes of
// Italian L2 and computer courses, their lessons and the registers teachers
// keep. It depends on nothing but the standard library and the shared
// register model.
package domain

import (
	"context"
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
)

// CourseKind is what a course teaches.
type CourseKind string

const (
	ItalianL2 CourseKind = "italian_l2" // Italian as a second language (CEFR)
	Digital   CourseKind = "digital"    // computer and digital skills (DigComp 2.2)
)

// Class is one edition of a course at a CPIA site.
type Class struct {
	ID           string
	CourseID     string
	CourseKind   CourseKind
	Title        string
	Organisation string   // the CPIA
	Teachers     []string // user subjects of the teachers
	Roster       []Enrolment
}

// EnrolmentStatus is where an enrolment stands.
type EnrolmentStatus string

const (
	Enrolled  EnrolmentStatus = "enrolled"
	Suspended EnrolmentStatus = "suspended"
	Withdrawn EnrolmentStatus = "withdrawn"
	Completed EnrolmentStatus = "completed"
)

// Enrolment is a person in a class, shown by the display name their
// organisation chose, never their legal name.
type Enrolment struct {
	Person      string // pseudonym
	DisplayName string
	Status      EnrolmentStatus
}

// Expected returns the pseudonyms a register must mark: those enrolled.
func (c *Class) Expected() []string {
	var ps []string
	for _, e := range c.Roster {
		if e.Status == Enrolled {
			ps = append(ps, e.Person)
		}
	}
	return ps
}

// TaughtBy reports whether the user subject teaches c.
func (c *Class) TaughtBy(subject string) bool { return slices.Contains(c.Teachers, subject) }

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
}

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
	return &Register{
		LessonID: lesson.ID, ClassID: class.ID, CourseID: class.CourseID, CourseKind: class.CourseKind,
		Organisation: class.Organisation, LessonStart: lesson.Start, LessonMinutes: lesson.Minutes,
		Marks: marks, RecordedBy: by, RecordedAt: now,
	}, nil
}

// SameMarks reports whether r records exactly marks (a retried submission).
func (r *Register) SameMarks(marks []register.Mark) bool {
	return slices.Equal(r.Marks, marks)
}

// Classes stores classes.
type Classes interface {
	// Get returns ENotFound for an unknown id.
	Get(ctx context.Context, id string) (*Class, error)
	// Put creates or replaces a class.
	Put(ctx context.Context, c *Class) error
}

// Lessons stores lessons.
type Lessons interface {
	// Get returns NotFound for an unknown id.
	Get(ctx context.Context, id string) (*Lesson, error)
	// Put creates or replaces a lesson.
	Put(ctx context.Context, l *Lesson) error
}

// Registers stores registers with their pending events.
type Registers interface {
	// Create stores r and its events in one write; Conflict if the lesson
	// already has a register.
	Create(ctx context.Context, r *Register) error
	// Get returns NotFound when the lesson has no register yet.
	Get(ctx context.Context, lessonID string) (*Register, error)
}
