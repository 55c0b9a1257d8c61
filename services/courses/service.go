// Package courses is the service that keeps Italian L2 and computer courses
// and the registers CPIA teachers mark; each mark reaches the person's
// pathway as an AttendanceRecorded event.
package courses

import (
	"context"
	"errors"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Service holds the use cases.
type Service struct {
	classes   domain.Classes
	lessons   domain.Lessons
	registers domain.Registers
	now       func() time.Time
}

// NewService returns the use cases over the given stores.
func NewService(c domain.Classes, l domain.Lessons, r domain.Registers, now func() time.Time) *Service {
	return &Service{classes: c, lessons: l, registers: r, now: now}
}

// LessonView is a lesson as a teacher opens it: the class roster to mark and
// the register if it was already recorded.
type LessonView struct {
	Lesson   *domain.Lesson
	Class    *domain.Class
	Register *domain.Register // nil until recorded
}

// Lesson returns the lesson for its teacher (or its CPIA's coordinator).
// Errors: NotFound, Forbidden.
func (s *Service) Lesson(ctx context.Context, lessonID string) (*LessonView, error) {
	lesson, class, err := s.lessonFor(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	reg, err := s.registers.Get(ctx, lessonID)
	if err != nil && errcode.Of(err) != errcode.NotFound {
		return nil, err
	}
	return &LessonView{Lesson: lesson, Class: class, Register: reg}, nil
}

// RecordRegister stores the register of a lesson that has started, one mark
// per enrolled person, and (in the same write) one AttendanceRecorded event
// per mark. Submitting the same marks again returns the stored register with
// created false, so a client may retry safely.
// Errors: NotFound, Forbidden, Invalid (naming the field), Conflict when a
// different register was already recorded.
func (s *Service) RecordRegister(ctx context.Context, lessonID string, marks []register.Mark) (reg *domain.Register, created bool, err error) {
	lesson, class, err := s.lessonFor(ctx, lessonID)
	if err != nil {
		return nil, false, err
	}
	p, _ := auth.From(ctx)
	reg, err = domain.NewRegister(class, lesson, marks, p.Subject, s.now())
	if err != nil {
		return nil, false, err
	}
	err = s.registers.Create(ctx, reg)
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

// lessonFor loads a lesson and its class, and checks the caller may keep
// its register: a teacher of the class, or a coordinator of its CPIA.
func (s *Service) lessonFor(ctx context.Context, lessonID string) (*domain.Lesson, *domain.Class, error) {
	if lessonID == "" {
		return nil, nil, errcode.New(errcode.Invalid, "lesson_id", "is required")
	}
	lesson, err := s.lessons.Get(ctx, lessonID)
	if err != nil {
		return nil, nil, err
	}
	class, err := s.classes.Get(ctx, lesson.ClassID)
	if err != nil {
		return nil, nil, err
	}
	p, ok := auth.From(ctx)
	switch {
	case !ok:
		return nil, nil, errcode.New(errcode.Unauthorized, "authorization", "a signed-in user is required")
	case p.Role == auth.Teacher && class.TaughtBy(p.Subject):
	case p.Role == auth.Coordinator && p.Organisation == class.Organisation:
	default:
		return nil, nil, errcode.New(errcode.Forbidden, "lesson_id", "you do not teach this class")
	}
	return lesson, class, nil
}
