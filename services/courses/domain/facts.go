package domain

import (
	"context"
	"time"

	"github.com/percorsi/percorsi/pkg/register"
)

// FactKind names what happened to a person in a class.
type FactKind string

const (
	FactEnrolled  FactKind = "enrolled"
	FactWithdrawn FactKind = "withdrawn"
	FactCompleted FactKind = "completed"
	FactStreak    FactKind = "absence_streak"
)

// Fact is a change of a person's standing in a class that the pathway must
// hear of. The store turns facts into events written with the class.
type Fact struct {
	Kind       FactKind
	Person     string
	At         time.Time
	Figures    register.Figures // the person's figures after the fact
	Reason     WithdrawReason
	OtherClass string // the other class of a transfer
	LessonID   string // the lesson that completed a run of absences
	// Assessment is the final assessment of a completion, if any.
	Assessment *Assessment
}

// Courses stores the catalogue.
type Courses interface {
	// Get returns NotFound for an unknown id.
	Get(ctx context.Context, id string) (*Course, error)
	// Put creates or replaces a course.
	Put(ctx context.Context, c *Course) error
}

// Classes stores classes with the events of their facts.
type Classes interface {
	// Get returns NotFound for an unknown id.
	Get(ctx context.Context, id string) (*Class, error)
	// Put creates or replaces a class (seeding and imports).
	Put(ctx context.Context, c *Class) error
	// Create stores a new class; Conflict if the id is taken.
	Create(ctx context.Context, c *Class) error
	// Update applies change to the stored class and stores the result with
	// the events of the facts it returns, in one write. change may run more
	// than once when another write got in first. NotFound, or change's error.
	Update(ctx context.Context, id string, change func(*Class) ([]Fact, error)) (*Class, error)
	// Teaching lists the classes subject teaches, or all of organisation's
	// when subject is empty.
	Teaching(ctx context.Context, organisation, subject string) ([]*Class, error)
	// Counted lists, by class id, the lessons whose registers the class's
	// figures count.
	Counted(ctx context.Context) (map[string][]string, error)
}

// Lessons stores lessons.
type Lessons interface {
	// Get returns NotFound for an unknown id.
	Get(ctx context.Context, id string) (*Lesson, error)
	// Put creates or replaces a lesson.
	Put(ctx context.Context, l *Lesson) error
	// Add stores new lessons; those already stored are left as they are.
	Add(ctx context.Context, ls []Lesson) error
	// Between lists the lessons of classes starting in [from, to), by start.
	Between(ctx context.Context, classIDs []string, from, to time.Time) ([]*Lesson, error)
}

// Registers stores registers with their pending events.
type Registers interface {
	// Create stores r and its events in one write; Conflict if the lesson
	// already has a register.
	Create(ctx context.Context, r *Register) error
	// Get returns NotFound when the lesson has no register yet.
	Get(ctx context.Context, lessonID string) (*Register, error)
	// Update applies change to the stored register and stores it with the
	// events of its Changed corrections in one write; change may run more
	// than once. NotFound, or change's error.
	Update(ctx context.Context, lessonID string, change func(*Register) error) (*Register, error)
	// OfClass lists a class's registers.
	OfClass(ctx context.Context, classID string) ([]*Register, error)
	// Recorded lists, by class id, the lessons that have a register.
	Recorded(ctx context.Context) (map[string][]string, error)
}

// Assessments stores assessments and certificates with their events.
type Assessments interface {
	// Add stores a and its LevelAssessed event in one write.
	Add(ctx context.Context, a *Assessment) error
	// Of lists the assessments of person in class, oldest first.
	Of(ctx context.Context, classID, person string) ([]*Assessment, error)
	// Certify stores c and its CertificateIssued event in one write;
	// Conflict if the person already has one for the class.
	Certify(ctx context.Context, c *Certificate) error
}
