// Package training is the service that keeps vocational courses of the
// regional repertoires, their editions, registers, internships, exams and
// qualifications; each fact reaches the person's pathway and jobs as an
// event keyed by pseudonym.
package training

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/training/domain"
)

// The collections the use cases work on, with their queries (see store).
type (
	Courses interface {
		Get(ctx context.Context, id string) (*domain.Course, error)
		Replace(ctx context.Context, id string, c *domain.Course) error
	}
	Editions interface {
		versioned.Store[domain.Edition]
		OfTrainer(ctx context.Context, trainer string) ([]*domain.Edition, error)
		OfOrganisation(ctx context.Context, org string) ([]*domain.Edition, error)
	}
	// Lessons.Add returns Conflict when a lesson id is taken by another
	// edition.
	Lessons interface {
		versioned.Store[domain.Lesson]
		Add(ctx context.Context, ls []domain.Lesson) error
		OfEdition(ctx context.Context, editionID string) ([]*domain.Lesson, error)
	}
	// Registers.OfEdition returns them in lesson order.
	Registers interface {
		versioned.Store[domain.Register]
		OfEdition(ctx context.Context, editionID string) ([]*domain.Register, error)
	}
)

// Service holds the use cases. Trainers act on the editions they teach;
// a coordinator of the provider on all its courses and editions.
type Service struct {
	courses   Courses
	editions  Editions
	lessons   Lessons
	registers Registers
	now       func() time.Time
}

// NewService returns the use cases over the given stores.
func NewService(c Courses, e Editions, l Lessons, r Registers, now func() time.Time) *Service {
	return &Service{courses: c, editions: e, lessons: l, registers: r, now: now}
}

// PutCourse creates or replaces a course of the caller's organisation.
// Errors: Invalid (naming the field), Forbidden.
func (s *Service) PutCourse(ctx context.Context, c *domain.Course) error {
	if err := c.Validate(); err != nil {
		return err
	}
	p, _ := auth.From(ctx)
	if p.Role != auth.Coordinator || p.Organisation != c.Provider {
		return errcode.New(errcode.Forbidden, "provider", "you coordinate another organisation's courses")
	}
	return s.courses.Replace(ctx, c.ID, c)
}

// Course returns a course; the catalogue is open to all staff.
// Errors: NotFound.
func (s *Service) Course(ctx context.Context, id string) (*domain.Course, error) {
	return s.course(ctx, id, "course_id")
}

func (s *Service) course(ctx context.Context, id, field string) (*domain.Course, error) {
	if id == "" {
		return nil, errcode.New(errcode.Invalid, field, "is required")
	}
	c, err := s.courses.Get(ctx, id)
	if errcode.Of(err) == errcode.NotFound {
		return nil, errcode.New(errcode.NotFound, field, "no course %s", id)
	}
	return c, err
}

// NewEdition is an edition as a coordinator plans it.
type NewEdition struct {
	ID, CourseID string
	Trainers     []string
	Start, End   time.Time
	Lessons      []domain.Lesson
}

// CreateEdition plans an edition of a course of the caller's organisation,
// with its schedule. Retrying the same creation is harmless.
// Errors: Invalid (naming the field), NotFound, Forbidden, Conflict.
func (s *Service) CreateEdition(ctx context.Context, in NewEdition) (*domain.Edition, error) {
	c, err := s.course(ctx, in.CourseID, "course_id")
	if err != nil {
		return nil, err
	}
	p, _ := auth.From(ctx)
	if p.Role != auth.Coordinator || p.Organisation != c.Provider {
		return nil, errcode.New(errcode.Forbidden, "course_id", "you coordinate another organisation's courses")
	}
	e, err := domain.NewEdition(in.ID, c, in.Trainers, in.Start, in.End)
	if err != nil {
		return nil, err
	}
	if err := domain.CheckSchedule(e, c, in.Lessons); err != nil {
		return nil, err
	}
	// Lessons first: an edition is never visible without its schedule, and
	// a retry after a failure finds its lessons already there.
	if err := s.lessons.Add(ctx, in.Lessons); err != nil {
		return nil, err
	}
	e.Version = 1
	if err := s.editions.Create(ctx, e.ID, e, nil); errcode.Of(err) == errcode.Conflict {
		return nil, errcode.New(errcode.Conflict, "id", "edition %s exists already", in.ID)
	} else if err != nil {
		return nil, err
	}
	return e, nil
}

// EditionView is an edition with its course, schedule and each person's
// attendance so far.
type EditionView struct {
	Edition    *domain.Edition
	Course     *domain.Course
	Lessons    []*domain.Lesson
	Registers  []*domain.Register
	Attendance domain.Attendance
}

// Edition returns an edition for its trainers and coordinators.
// Errors: NotFound, Forbidden.
func (s *Service) Edition(ctx context.Context, id string) (*EditionView, error) {
	e, err := s.edition(ctx, id)
	if err != nil {
		return nil, err
	}
	c, err := s.course(ctx, e.CourseID, "course_id")
	if err != nil {
		return nil, err
	}
	lessons, err := s.lessons.OfEdition(ctx, id)
	if err != nil {
		return nil, err
	}
	regs, err := s.registers.OfEdition(ctx, id)
	if err != nil {
		return nil, err
	}
	return &EditionView{Edition: e, Course: c, Lessons: lessons, Registers: regs, Attendance: domain.Tally(regs)}, nil
}

// Editions lists what the caller may open: a trainer's own editions, or
// all of a coordinator's organisation.
func (s *Service) Editions(ctx context.Context) ([]*domain.Edition, error) {
	p, _ := auth.From(ctx)
	if p.Role == auth.Coordinator {
		return s.editions.OfOrganisation(ctx, p.Organisation)
	}
	return s.editions.OfTrainer(ctx, p.Subject)
}

// edition loads an edition the caller may act on.
func (s *Service) edition(ctx context.Context, id string) (*domain.Edition, error) {
	if id == "" {
		return nil, errcode.New(errcode.Invalid, "edition_id", "is required")
	}
	e, err := s.editions.Get(ctx, id)
	if errcode.Of(err) == errcode.NotFound {
		return nil, errcode.New(errcode.NotFound, "edition_id", "no edition %s", id)
	}
	if err != nil {
		return nil, err
	}
	return e, allowed(ctx, e)
}

func allowed(ctx context.Context, e *domain.Edition) error {
	p, ok := auth.From(ctx)
	switch {
	case !ok:
		return errcode.New(errcode.Unauthorized, "authorization", "a signed-in user is required")
	case p.Role == auth.Trainer && e.TaughtBy(p.Subject):
	case p.Role == auth.Coordinator && p.Organisation == e.Organisation:
	default:
		return errcode.New(errcode.Forbidden, "edition_id", "you do not teach this edition")
	}
	return nil
}

// change applies a domain change to an edition the caller may act on,
// storing it with the events of its facts in one write. Attendance is
// tallied from the registers only when the change needs it.
func (s *Service) change(ctx context.Context, id string, needsAttendance bool, fn func(*domain.Edition, *domain.Course, domain.Attendance) ([]domain.Fact, error)) (*domain.Edition, error) {
	e, err := s.edition(ctx, id)
	if err != nil {
		return nil, err
	}
	c, err := s.course(ctx, e.CourseID, "course_id")
	if err != nil {
		return nil, err
	}
	var att domain.Attendance
	if needsAttendance {
		regs, err := s.registers.OfEdition(ctx, id)
		if err != nil {
			return nil, err
		}
		att = domain.Tally(regs)
	}
	return s.editions.Update(ctx, id, func(e *domain.Edition) ([]outbox.Message, error) {
		if err := allowed(ctx, e); err != nil {
			return nil, err
		}
		facts, err := fn(e, c, att)
		if err != nil {
			return nil, err
		}
		e.Version++
		return editionEvents(ctx, e, c, facts, s.now())
	})
}

// Enrol adds a person (pseudonym and display name) to an edition.
// Errors: Invalid, NotFound, Forbidden, Conflict when already enrolled.
func (s *Service) Enrol(ctx context.Context, editionID, person, displayName string) (*domain.Edition, error) {
	return s.change(ctx, editionID, false, func(e *domain.Edition, _ *domain.Course, _ domain.Attendance) ([]domain.Fact, error) {
		f, err := e.Enrol(person, displayName, s.now())
		if err != nil {
			return nil, err
		}
		return []domain.Fact{f}, nil
	})
}

// Suspend pauses an enrolment; Resume ends the pause.
// Errors: Invalid, NotFound, Forbidden, Conflict.
func (s *Service) Suspend(ctx context.Context, editionID, person, note string) (*domain.Edition, error) {
	return s.change(ctx, editionID, false, func(e *domain.Edition, _ *domain.Course, _ domain.Attendance) ([]domain.Fact, error) {
		return nil, e.Suspend(person, note)
	})
}

// Resume brings a suspended person back to the registers.
func (s *Service) Resume(ctx context.Context, editionID, person string) (*domain.Edition, error) {
	return s.change(ctx, editionID, false, func(e *domain.Edition, _ *domain.Course, _ domain.Attendance) ([]domain.Fact, error) {
		return nil, e.Resume(person)
	})
}

// Withdraw ends an enrolment, certifying the units passed if any.
// Errors: Invalid, NotFound, Forbidden, Conflict.
func (s *Service) Withdraw(ctx context.Context, editionID, person string, reason domain.WithdrawReason, note string, units []string) (*domain.Edition, error) {
	return s.change(ctx, editionID, true, func(e *domain.Edition, c *domain.Course, att domain.Attendance) ([]domain.Fact, error) {
		return e.Withdraw(c, person, reason, note, units, att)
	})
}

// PlaceIntern sets a person's internship at a host company.
func (s *Service) PlaceIntern(ctx context.Context, editionID, person string, p domain.Placement) (*domain.Edition, error) {
	return s.change(ctx, editionID, false, func(e *domain.Edition, c *domain.Course, _ domain.Attendance) ([]domain.Fact, error) {
		return nil, e.PlaceIntern(c, person, p)
	})
}

// RecordHours records a day of internship.
func (s *Service) RecordHours(ctx context.Context, editionID, person string, day time.Time, minutes int) (*domain.Edition, error) {
	return s.change(ctx, editionID, false, func(e *domain.Edition, _ *domain.Course, _ domain.Attendance) ([]domain.Fact, error) {
		f, err := e.RecordHours(person, day, minutes, s.now())
		if err != nil || f == nil {
			return nil, err
		}
		return []domain.Fact{f}, nil
	})
}

// Evaluate records the host tutor's evaluation, as the trainer received it.
func (s *Service) Evaluate(ctx context.Context, editionID, person string, rating int, note string) (*domain.Edition, error) {
	p, _ := auth.From(ctx)
	return s.change(ctx, editionID, false, func(e *domain.Edition, _ *domain.Course, _ domain.Attendance) ([]domain.Fact, error) {
		return nil, e.Evaluate(person, domain.Evaluation{Rating: rating, Note: note, By: p.Subject, At: s.now().UTC()})
	})
}

// CloseModule closes a module for everyone on the course.
func (s *Service) CloseModule(ctx context.Context, editionID, moduleID string) (*domain.Edition, error) {
	return s.change(ctx, editionID, true, func(e *domain.Edition, c *domain.Course, att domain.Attendance) ([]domain.Fact, error) {
		return e.CloseModule(c, moduleID, att)
	})
}

// RecordExam records a final exam session.
func (s *Service) RecordExam(ctx context.Context, editionID string, heldOn time.Time, results []domain.Result) (*domain.Edition, error) {
	return s.change(ctx, editionID, true, func(e *domain.Edition, c *domain.Course, att domain.Attendance) ([]domain.Fact, error) {
		return e.RecordExam(c, heldOn, results, att, s.now())
	})
}

// LessonView is a lesson as a trainer opens it: the roster to mark and the
// register if it was already recorded.
type LessonView struct {
	Lesson   *domain.Lesson
	Edition  *domain.Edition
	Register *domain.Register // nil until recorded
}

// Lesson returns a lesson for its edition's trainers and coordinators.
// Errors: NotFound, Forbidden.
func (s *Service) Lesson(ctx context.Context, lessonID string) (*LessonView, error) {
	l, e, err := s.lessonFor(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	reg, err := s.registers.Get(ctx, lessonID)
	if err != nil && errcode.Of(err) != errcode.NotFound {
		return nil, err
	}
	return &LessonView{Lesson: l, Edition: e, Register: reg}, nil
}

// RecordRegister stores the register of a lesson that has started, with
// one AttendanceRecorded event per mark in the same write. The same marks
// again return the stored register with created false.
// Errors: NotFound, Forbidden, Invalid (naming the field), Conflict when a
// different register was already recorded.
func (s *Service) RecordRegister(ctx context.Context, lessonID string, marks []register.Mark) (reg *domain.Register, created bool, err error) {
	l, e, err := s.lessonFor(ctx, lessonID)
	if err != nil {
		return nil, false, err
	}
	c, err := s.course(ctx, e.CourseID, "course_id")
	if err != nil {
		return nil, false, err
	}
	p, _ := auth.From(ctx)
	reg, err = domain.NewRegister(e, c, l, marks, p.Subject, s.now())
	if err != nil {
		return nil, false, err
	}
	// The lesson is marked recorded before its register is stored, and only
	// if it is still as read: a register and a cancellation or move racing
	// cannot both win.
	if _, err := s.lessons.Update(ctx, lessonID, func(now *domain.Lesson) ([]outbox.Message, error) { return nil, now.MarkRecorded(l) }); err != nil {
		return nil, false, err
	}
	events, err := registerEvents(ctx, reg)
	if err != nil {
		return nil, false, err
	}
	err = s.registers.Create(ctx, lessonID, reg, events)
	if errcode.Of(err) == errcode.Conflict {
		stored, getErr := s.registers.Get(ctx, lessonID)
		if getErr != nil {
			return nil, false, errors.Join(err, getErr)
		}
		if stored.SameMarks(reg.Marks) {
			return stored, false, nil
		}
		return nil, false, errcode.New(errcode.Conflict, "lesson_id", "this lesson's register was already recorded")
	}
	if err != nil {
		return nil, false, err
	}
	return reg, true, nil
}

// CorrectRegister changes some lines of a recorded register, keeping who,
// when and why, with one corrected AttendanceRecorded per changed line in
// the same write.
// Errors: NotFound, Forbidden, Invalid (naming the field: reason,
// marks[i].person, ..., or lesson_id once its module is closed).
func (s *Service) CorrectRegister(ctx context.Context, lessonID string, changes []register.Mark, reason string) (*domain.Register, error) {
	_, e, err := s.lessonFor(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	p, _ := auth.From(ctx)
	reg, err := s.registers.Update(ctx, lessonID, func(r *domain.Register) ([]outbox.Message, error) {
		if err := r.Correct(e, changes, p.Subject, reason, s.now()); err != nil {
			return nil, err
		}
		return registerEvents(ctx, r)
	})
	if errcode.Of(err) == errcode.NotFound {
		return nil, errcode.New(errcode.NotFound, "lesson_id", "the register of lesson %s was not recorded yet", lessonID)
	}
	return reg, err
}

// AddLesson adds an extra lesson to an edition's schedule, e.g. to make up
// for a cancelled one. The same lesson again is a harmless retry (created
// false). Errors: Invalid (naming the field), NotFound, Forbidden, Conflict
// when the id is another lesson's or the module is closed.
func (s *Service) AddLesson(ctx context.Context, editionID string, in domain.Lesson) (l *domain.Lesson, created bool, err error) {
	e, err := s.edition(ctx, editionID)
	if err != nil {
		return nil, false, err
	}
	c, err := s.course(ctx, e.CourseID, "course_id")
	if err != nil {
		return nil, false, err
	}
	if l, err = domain.NewLesson(e, c, in); err != nil {
		return nil, false, err
	}
	stored, err := s.lessons.Get(ctx, l.ID)
	switch {
	case errcode.Of(err) == errcode.NotFound:
		created = true
		err = s.lessons.Add(ctx, []domain.Lesson{*l})
		if errcode.Of(err) == errcode.Conflict {
			return nil, false, errcode.New(errcode.Conflict, "id", "is taken by another lesson")
		}
		if err != nil {
			return nil, false, err
		}
		// Added by a retry meanwhile, or taken: what is stored decides.
		if stored, err = s.lessons.Get(ctx, l.ID); err != nil {
			return nil, false, err
		}
	case err != nil:
		return nil, false, err
	}
	if stored.EditionID != l.EditionID || stored.ModuleID != l.ModuleID || !stored.Start.Equal(l.Start) || stored.Minutes != l.Minutes {
		return nil, false, errcode.New(errcode.Conflict, "id", "is taken by another lesson")
	}
	return stored, created, nil
}

// CancelLesson cancels a lesson whose register is not recorded: it holds
// no register and counts in nobody's hours. MoveLesson gives such a lesson
// a new start and length, keeping its id. Errors: NotFound, Forbidden,
// Invalid (naming start or minutes), Conflict (cancelled, recorded, or its
// module closed).
func (s *Service) CancelLesson(ctx context.Context, lessonID string) (*domain.Lesson, error) {
	return s.changeLesson(ctx, lessonID, func(l *domain.Lesson, e *domain.Edition, recorded bool) error { return l.Cancel(e, recorded) })
}

// MoveLesson: see CancelLesson.
func (s *Service) MoveLesson(ctx context.Context, lessonID string, start time.Time, minutes int) (*domain.Lesson, error) {
	return s.changeLesson(ctx, lessonID, func(l *domain.Lesson, e *domain.Edition, recorded bool) error {
		return l.Move(e, start, minutes, recorded)
	})
}

func (s *Service) changeLesson(ctx context.Context, lessonID string, change func(l *domain.Lesson, e *domain.Edition, recorded bool) error) (*domain.Lesson, error) {
	_, e, err := s.lessonFor(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	// A register stored before lessons were marked recorded counts too.
	_, err = s.registers.Get(ctx, lessonID)
	if err != nil && errcode.Of(err) != errcode.NotFound {
		return nil, err
	}
	recorded := err == nil
	return s.lessons.Update(ctx, lessonID, func(l *domain.Lesson) ([]outbox.Message, error) { return nil, change(l, e, recorded) })
}

func (s *Service) lessonFor(ctx context.Context, lessonID string) (*domain.Lesson, *domain.Edition, error) {
	if lessonID == "" {
		return nil, nil, errcode.New(errcode.Invalid, "lesson_id", "is required")
	}
	l, err := s.lessons.Get(ctx, lessonID)
	if errcode.Of(err) == errcode.NotFound {
		return nil, nil, errcode.New(errcode.NotFound, "lesson_id", "no lesson %s", lessonID)
	}
	if err != nil {
		return nil, nil, err
	}
	e, err := s.edition(ctx, l.EditionID)
	if errcode.Of(err) == errcode.Forbidden {
		return nil, nil, errcode.New(errcode.Forbidden, "lesson_id", "you do not teach this edition")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("lesson %s: %w", lessonID, err)
	}
	return l, e, nil
}
