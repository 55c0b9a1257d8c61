package domain

import (
	"context"
)

// Courses stores the course catalogue.
// Get returns NotFound for an unknown id.
type Courses interface {
	Get(ctx context.Context, id string) (*Course, error)
	Put(ctx context.Context, c *Course) error
}

// Editions stores editions with their rosters. Create returns Conflict when
// the id is taken. Update loads the edition, applies change and writes the
// edition and the events of the facts change returns in one write, retrying
// when the edition changed meanwhile; it returns NotFound, change's error,
// or Unavailable when the edition kept changing.
type Editions interface {
	Get(ctx context.Context, id string) (*Edition, error)
	Create(ctx context.Context, e *Edition) error
	Update(ctx context.Context, id string, change func(*Edition) ([]Fact, error)) (*Edition, error)
	OfTrainer(ctx context.Context, trainer string) ([]*Edition, error)
	OfOrganisation(ctx context.Context, org string) ([]*Edition, error)
}

// Lessons stores the schedule. Add returns Conflict when a lesson id is
// taken by another edition. Update applies change and writes the lesson
// unless it changed meanwhile, then retries (NotFound, change's error, or
// Unavailable when it kept changing).
type Lessons interface {
	Get(ctx context.Context, id string) (*Lesson, error)
	Add(ctx context.Context, ls []Lesson) error
	Update(ctx context.Context, id string, change func(*Lesson) error) (*Lesson, error)
	OfEdition(ctx context.Context, editionID string) ([]*Lesson, error)
}

// Registers stores registers with their events. Create returns Conflict
// when the lesson has one; Update applies change and writes the register
// with the events of its corrections in one write (NotFound, change's
// error, or Unavailable when it kept changing); OfEdition returns them in
// lesson order.
type Registers interface {
	Create(ctx context.Context, r *Register) error
	Update(ctx context.Context, lessonID string, change func(*Register) error) (*Register, error)
	Get(ctx context.Context, lessonID string) (*Register, error)
	OfEdition(ctx context.Context, editionID string) ([]*Register, error)
}
