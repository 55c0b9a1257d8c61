// Package courses is the service that keeps Italian L2 and computer courses
// at CPIA schools: the catalogue, classes with their schedules, lessons,
// enrolments and waiting lists, the registers teachers mark and correct,
// attendance figures, assessments and certificates. What it records reaches
// each person's pathway as events keyed by pseudonym.
package courses

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Stores are the collections the use cases work on, with their queries.
type Stores struct {
	Courses interface {
		Get(ctx context.Context, id string) (*domain.Course, error)
		Upsert(ctx context.Context, id string, start func(string) *domain.Course, change versioned.Change[domain.Course]) (*domain.Course, error)
	}
	Classes interface {
		versioned.Store[domain.Class]
		// Put stores a class changed as read over its version; false when
		// the stored class moved on.
		Put(ctx context.Context, id string, version int64, c *domain.Class, events []outbox.Message) (bool, error)
		// Teaching lists the classes subject teaches, or all of
		// organisation's when subject is empty.
		Teaching(ctx context.Context, organisation, subject string) ([]*domain.Class, error)
		// Counted lists, by class id, the lessons whose registers the
		// class's figures count.
		Counted(ctx context.Context) (map[string][]string, error)
	}
	Lessons interface {
		versioned.Store[domain.Lesson]
		// Add stores new lessons; those already stored are left as they are.
		Add(ctx context.Context, ls []domain.Lesson) error
		// Between lists the lessons of classes starting in [from, to), by start.
		Between(ctx context.Context, classIDs []string, from, to time.Time) ([]*domain.Lesson, error)
	}
	Registers interface {
		versioned.Store[domain.Register]
		OfClass(ctx context.Context, classID string) ([]*domain.Register, error)
		// Recorded lists, by class id, the lessons that have a register.
		Recorded(ctx context.Context) (map[string][]string, error)
	}
	Assessments interface {
		Create(ctx context.Context, id string, a *domain.Assessment, events []outbox.Message) error
		// Of lists the assessments of person in class, oldest first.
		Of(ctx context.Context, classID, person string) ([]*domain.Assessment, error)
	}
	Certificates interface {
		Create(ctx context.Context, id string, c *domain.Certificate, events []outbox.Message) error
	}
}

// Service holds the use cases.
type Service struct {
	Stores
	cfg    domain.Config
	events Events
	now    func() time.Time
	newID  func() string
}

// NewService returns the use cases over st; newID makes assessment ids.
func NewService(st Stores, cfg domain.Config, now func() time.Time, newID func() string) *Service {
	return &Service{Stores: st, cfg: cfg, events: Events{AdmissionShareBP: cfg.AdmissionShareBP}, now: now, newID: newID}
}

// classChange is change with the events of the facts it returns.
func (s *Service) classChange(ctx context.Context, change func(*domain.Class) ([]domain.Fact, error)) versioned.Change[domain.Class] {
	return func(c *domain.Class) ([]outbox.Message, error) {
		facts, err := change(c)
		if err != nil {
			return nil, err
		}
		return s.events.Class(ctx, c, facts)
	}
}

// updateClass applies change to the stored class and stores it with the
// events of its facts.
func (s *Service) updateClass(ctx context.Context, id string, change func(*domain.Class) ([]domain.Fact, error)) (*domain.Class, error) {
	return s.Classes.Update(ctx, id, s.classChange(ctx, change))
}

// changeClass is updateClass on c, the class as the request read it, which
// it changes: a class with its roster is about 12 KB to read and decode,
// so it is written over the version read, and read again only if that
// moved on.
func (s *Service) changeClass(ctx context.Context, c *domain.Class, change func(*domain.Class) ([]domain.Fact, error)) (*domain.Class, error) {
	apply := s.classChange(ctx, change)
	events, err := apply(c)
	if err != nil {
		return nil, err
	}
	ok, err := s.Classes.Put(ctx, c.ID, c.Version, c, events)
	switch {
	case err != nil:
		return nil, err
	case !ok: // changed since it was read
		return s.Classes.Update(ctx, c.ID, apply)
	}
	c.Version++
	return c, nil
}

// caller returns the signed-in user.
func caller(ctx context.Context) (auth.Principal, error) {
	p, ok := auth.From(ctx)
	if !ok {
		return p, errcode.New(errcode.Unauthorized, "authorization", "a signed-in user is required")
	}
	return p, nil
}

// allowed reports whether p may work on class: a coordinator of its CPIA
// always, one of its teachers unless the work is the coordinator's.
func allowed(p auth.Principal, class *domain.Class, coordinatorOnly bool) bool {
	switch p.Role {
	case auth.Coordinator:
		return p.Organisation == class.Organisation
	case auth.Teacher:
		return !coordinatorOnly && class.TaughtBy(p.Subject)
	}
	return false
}

// classFor loads a class the caller may work on. Errors: NotFound,
// Forbidden, Unauthorized.
func (s *Service) classFor(ctx context.Context, classID string, coordinatorOnly bool) (*domain.Class, auth.Principal, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, p, err
	}
	if classID == "" {
		return nil, p, errcode.New(errcode.Invalid, "class_id", "is required")
	}
	class, err := s.Classes.Get(ctx, classID)
	if err != nil {
		return nil, p, err
	}
	if !allowed(p, class, coordinatorOnly) {
		if coordinatorOnly && p.Role == auth.Teacher && class.TaughtBy(p.Subject) {
			return nil, p, errcode.New(errcode.Forbidden, "class_id", "only the CPIA's coordinator may do this")
		}
		return nil, p, errcode.New(errcode.Forbidden, "class_id", "you do not teach this class")
	}
	return class, p, nil
}

// lessonFor loads a lesson and its class, and checks the caller may keep
// its register: a teacher of the class, or a coordinator of its CPIA.
func (s *Service) lessonFor(ctx context.Context, lessonID string) (*domain.Lesson, *domain.Class, auth.Principal, error) {
	if lessonID == "" {
		return nil, nil, auth.Principal{}, errcode.New(errcode.Invalid, "lesson_id", "is required")
	}
	p, err := caller(ctx)
	if err != nil {
		return nil, nil, p, err
	}
	lesson, err := s.Lessons.Get(ctx, lessonID)
	if err != nil {
		return nil, nil, p, err
	}
	class, err := s.Classes.Get(ctx, lesson.ClassID)
	if err != nil {
		return nil, nil, p, err
	}
	if !allowed(p, class, false) {
		return nil, nil, p, errcode.New(errcode.Forbidden, "lesson_id", "you do not teach this class")
	}
	return lesson, class, p, nil
}

// PutCourse creates or replaces a course of the coordinator's CPIA.
// Errors: Invalid, Forbidden.
func (s *Service) PutCourse(ctx context.Context, c *domain.Course) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	if p.Role != auth.Coordinator {
		return errcode.New(errcode.Forbidden, "", "only a coordinator keeps the catalogue")
	}
	c.Organisation = p.Organisation
	_, err = s.Courses.Upsert(ctx, c.ID, func(string) *domain.Course { return c }, func(stored *domain.Course) ([]outbox.Message, error) {
		if stored.Organisation != p.Organisation {
			return nil, errcode.New(errcode.Forbidden, "id", "the course belongs to another provider")
		}
		*stored = *c
		return nil, c.Check()
	})
	return err
}

// CreateClass creates an edition of a course of the coordinator's CPIA and
// generates its lessons from the schedule. Creating the same class again
// (a retry) completes its lessons and answers created false.
// Errors: Invalid, Forbidden, NotFound (the course), Conflict (another
// class has the id).
func (s *Service) CreateClass(ctx context.Context, c *domain.Class) (created bool, lessons int, err error) {
	p, err := caller(ctx)
	if err != nil {
		return false, 0, err
	}
	if p.Role != auth.Coordinator {
		return false, 0, errcode.New(errcode.Forbidden, "", "only a coordinator creates classes")
	}
	if c.CourseID == "" {
		return false, 0, errcode.New(errcode.Invalid, "course_id", "is required")
	}
	course, err := s.Courses.Get(ctx, c.CourseID)
	if errcode.Of(err) == errcode.NotFound {
		return false, 0, errcode.New(errcode.Invalid, "course_id", "is not in the catalogue")
	}
	if err != nil {
		return false, 0, err
	}
	if course.Organisation != p.Organisation {
		return false, 0, errcode.New(errcode.Forbidden, "course_id", "the course belongs to another provider")
	}
	c.Organisation, c.CourseKind, c.PlannedMinutes = p.Organisation, course.Kind, course.TotalHours*60
	c.TargetLevel, c.TargetDigComp = course.TargetLevel, course.TargetDigComp
	c.Roster, c.Waiting, c.Counted = nil, nil, nil
	if err := c.CheckNew(); err != nil {
		return false, 0, err
	}
	created = true
	if err := s.Classes.Create(ctx, c.ID, c, nil); errcode.Of(err) == errcode.Conflict {
		stored, getErr := s.Classes.Get(ctx, c.ID)
		if getErr != nil {
			return false, 0, errors.Join(err, getErr)
		}
		if stored.CourseID != c.CourseID || !slices.Equal(stored.Schedule, c.Schedule) || !stored.StartDate.Equal(c.StartDate) || !stored.EndDate.Equal(c.EndDate) {
			return false, 0, errcode.New(errcode.Conflict, "id", "another class has this id")
		}
		created, c = false, stored
	} else if err != nil {
		return false, 0, err
	}
	ls := c.Lessons(s.cfg.Location)
	if err := s.Lessons.Add(ctx, ls); err != nil {
		return false, 0, err
	}
	return created, len(ls), nil
}

// Today lists the lessons of the caller's classes (a teacher's own, all of
// a coordinator's CPIA) on the day of at, in the schedule's location.
func (s *Service) Today(ctx context.Context, at time.Time) ([]*domain.Lesson, map[string]*domain.Class, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, nil, err
	}
	subject := p.Subject
	switch p.Role {
	case auth.Coordinator:
		subject = ""
	case auth.Teacher:
	default:
		return nil, nil, errcode.New(errcode.Forbidden, "", "only teachers and coordinators have lessons")
	}
	classes, err := s.Classes.Teaching(ctx, p.Organisation, subject)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]*domain.Class, len(classes))
	ids := make([]string, len(classes))
	for i, c := range classes {
		byID[c.ID], ids[i] = c, c.ID
	}
	local := at.In(s.cfg.Location)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.cfg.Location)
	lessons, err := s.Lessons.Between(ctx, ids, day, day.AddDate(0, 0, 1))
	if err != nil {
		return nil, nil, err
	}
	return lessons, byID, nil
}

// AddLesson adds an extra lesson to a class. Errors: Invalid, Forbidden,
// NotFound, Conflict (a lesson of the class already starts then).
func (s *Service) AddLesson(ctx context.Context, classID string, start time.Time, minutes int) (*domain.Lesson, error) {
	class, _, err := s.classFor(ctx, classID, false)
	if err != nil {
		return nil, err
	}
	if err := domain.CheckTime(start, minutes); err != nil {
		return nil, err
	}
	l := &domain.Lesson{
		ID: class.ID + "-" + start.In(s.cfg.Location).Format("20060102-1504"), ClassID: class.ID,
		Start: start.UTC(), Minutes: minutes, Status: domain.Scheduled, Extra: true,
	}
	if err := s.Lessons.Create(ctx, l.ID, l, nil); errcode.Of(err) == errcode.Conflict {
		return nil, errcode.New(errcode.Conflict, "start", "the class already has a lesson then")
	} else if err != nil {
		return nil, err
	}
	return l, nil
}

// CancelLesson cancels a lesson whose register is not recorded; MoveLesson
// gives it a new time. Errors: NotFound, Forbidden, Invalid, Conflict.
func (s *Service) CancelLesson(ctx context.Context, lessonID string) (*domain.Lesson, error) {
	return s.changeLesson(ctx, lessonID, func(l *domain.Lesson, recorded bool) error { return l.Cancel(recorded) })
}

// MoveLesson: see CancelLesson.
func (s *Service) MoveLesson(ctx context.Context, lessonID string, start time.Time, minutes int) (*domain.Lesson, error) {
	return s.changeLesson(ctx, lessonID, func(l *domain.Lesson, recorded bool) error { return l.Move(start, minutes, recorded) })
}

func (s *Service) changeLesson(ctx context.Context, lessonID string, change func(*domain.Lesson, bool) error) (*domain.Lesson, error) {
	if _, _, _, err := s.lessonFor(ctx, lessonID); err != nil {
		return nil, err
	}
	_, err := s.Registers.Get(ctx, lessonID)
	if err != nil && errcode.Of(err) != errcode.NotFound {
		return nil, err
	}
	recorded := err == nil
	return s.Lessons.Update(ctx, lessonID, func(l *domain.Lesson) ([]outbox.Message, error) { return nil, change(l, recorded) })
}

// LessonView is a lesson as a teacher opens it: the class roster to mark and
// the register if it was already recorded.
type LessonView struct {
	Lesson   *domain.Lesson
	Class    *domain.Class
	Register *domain.Register // nil until recorded
	Locked   bool             // the caller may no longer correct it
}

// Lesson returns the lesson for its teacher (or its CPIA's coordinator).
// Errors: NotFound, Forbidden.
func (s *Service) Lesson(ctx context.Context, lessonID string) (*LessonView, error) {
	lesson, class, p, err := s.lessonFor(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	reg, err := s.Registers.Get(ctx, lessonID)
	if err != nil && errcode.Of(err) != errcode.NotFound {
		return nil, err
	}
	if reg != nil && !slices.Contains(class.Counted, lessonID) {
		// The register was stored but counting it failed: count it now.
		if class, err = s.count(ctx, class, reg); err != nil {
			return nil, err
		}
	}
	return &LessonView{Lesson: lesson, Class: class, Register: reg, Locked: s.locked(p, lesson)}, nil
}

func (s *Service) locked(p auth.Principal, lesson *domain.Lesson) bool {
	return p.Role != auth.Coordinator && domain.Locked(lesson.Start, s.cfg.LockAfter, s.now())
}

// RecordRegister stores the register of a lesson that has started, one mark
// per enrolled person, and (in the same write) one AttendanceRecorded event
// per mark; then it counts the marks in the class's figures, raising the
// alerts of runs of absences. Submitting the same marks again returns the
// stored register with created false, so a client may retry safely. The
// count is a second write, to the class document, which lists the lessons
// it counts: a retry counts a register whose count failed, once, and
// RecountMissed at start counts one that was never retried. A
// register never recorded can still be recorded late: the lock is about
// changing what was recorded.
// Errors: NotFound, Forbidden, Invalid (naming the field), Conflict when a
// different register was recorded.
func (s *Service) RecordRegister(ctx context.Context, lessonID string, marks []register.Mark) (reg *domain.Register, created bool, err error) {
	lesson, class, p, err := s.lessonFor(ctx, lessonID)
	if err != nil {
		return nil, false, err
	}
	reg, err = domain.NewRegister(class, lesson, marks, p.Subject, s.now())
	if err != nil {
		return nil, false, err
	}
	reg.PlannedMinutes = class.PlannedMinutes
	events, err := s.events.Register(ctx, reg)
	if err != nil {
		return nil, false, err
	}
	err = s.Registers.Create(ctx, lessonID, reg, events)
	if errcode.Of(err) == errcode.Conflict {
		stored, getErr := s.Registers.Get(ctx, lessonID)
		if getErr != nil {
			return nil, false, errors.Join(err, getErr)
		}
		if !stored.SameMarks(reg.Marks) || stored.Revision > 1 {
			return nil, false, errcode.New(errcode.Conflict, "lesson_id", "this lesson's register was already recorded: correct it instead")
		}
		reg, created = stored, false
	} else if err != nil {
		return nil, false, err
	} else {
		created = true
	}
	if _, err := s.count(ctx, class, reg); err != nil {
		return nil, false, err
	}
	return reg, created, nil
}

// count adds a stored register to the figures of its class, as read, once.
func (s *Service) count(ctx context.Context, class *domain.Class, reg *domain.Register) (*domain.Class, error) {
	return s.changeClass(ctx, class, func(c *domain.Class) ([]domain.Fact, error) {
		return c.Count(reg, s.cfg.AbsenceStreak), nil
	})
}

// CorrectRegister changes lines of a recorded register, keeping who, when
// and why, publishes one AttendanceCorrected per changed line, and
// recounts the class's figures. Errors: NotFound, Forbidden (also when
// locked), Invalid naming the field.
func (s *Service) CorrectRegister(ctx context.Context, lessonID string, changes []register.Mark, reason string) (*domain.Register, error) {
	lesson, class, p, err := s.lessonFor(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	if s.locked(p, lesson) {
		return nil, errcode.New(errcode.Forbidden, "lesson_id", "the register is locked; ask the coordinator")
	}
	reg, err := s.Registers.Update(ctx, lessonID, func(r *domain.Register) ([]outbox.Message, error) {
		r.PlannedMinutes = class.PlannedMinutes
		if err := r.Correct(changes, p.Subject, reason, s.now()); err != nil {
			return nil, err
		}
		return s.events.Register(ctx, r)
	})
	if errcode.Of(err) == errcode.NotFound && errcode.As(err).Field == "" {
		return nil, errcode.New(errcode.Invalid, "lesson_id", "the register is not recorded yet")
	}
	if err != nil {
		return nil, err
	}
	_, err = s.changeClass(ctx, class, s.recount(ctx))
	return reg, err
}

// recount sets a class's figures from all its registers.
func (s *Service) recount(ctx context.Context) func(*domain.Class) ([]domain.Fact, error) {
	return func(c *domain.Class) ([]domain.Fact, error) {
		regs, err := s.Registers.OfClass(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		return c.Recount(regs, s.cfg.AbsenceStreak, s.now()), nil
	}
}

// RecountMissed recounts the figures of every class that has a register
// its figures do not count. Storing a register and counting it are two
// writes to two documents (see RecordRegister): a client's retry counts a
// register whose count failed, but one recorded just before the service
// stopped, and never retried, would stay uncounted. It runs at start, reads
// only ids, and returns the classes recounted.
func (s *Service) RecountMissed(ctx context.Context) ([]string, error) {
	recorded, err := s.Registers.Recorded(ctx)
	if err != nil {
		return nil, err
	}
	counted, err := s.Classes.Counted(ctx)
	if err != nil {
		return nil, err
	}
	var recounted []string
	for _, classID := range slices.Sorted(maps.Keys(recorded)) {
		missed := slices.ContainsFunc(recorded[classID], func(lesson string) bool { return !slices.Contains(counted[classID], lesson) })
		if !missed {
			continue
		}
		if _, err := s.updateClass(ctx, classID, s.recount(ctx)); err != nil {
			return recounted, fmt.Errorf("recount class %s: %w", classID, err)
		}
		recounted = append(recounted, classID)
	}
	return recounted, nil
}

// Attendance returns a class with each person's figures, for its teachers
// and coordinator. Errors: NotFound, Forbidden.
func (s *Service) Attendance(ctx context.Context, classID string) (*domain.Class, error) {
	class, _, err := s.classFor(ctx, classID, false)
	return class, err
}

// Enrol gives a person a place in a class, or one on its waiting list when
// it is full. Errors: Invalid, NotFound, Forbidden, Conflict.
func (s *Service) Enrol(ctx context.Context, classID, person, displayName string) (waiting bool, err error) {
	class, _, err := s.classFor(ctx, classID, true)
	if err != nil {
		return false, err
	}
	_, err = s.changeClass(ctx, class, func(c *domain.Class) ([]domain.Fact, error) {
		var facts []domain.Fact
		waiting, facts, err = c.Enrol(person, displayName, s.now())
		return facts, err
	})
	return waiting, err
}

// RosterRow is one line of an imported roster.
type RosterRow struct {
	Line        int // in the file, header excluded
	Person      string
	DisplayName string
}

// RowOutcome says what became of one imported line.
type RowOutcome struct {
	Line    int
	Person  string
	Outcome string // enrolled, waiting or rejected
	Field   string // for a rejected line, the column at fault
	Reason  string
}

// ImportRoster enrols the people of rows into a class in one write: those
// that can be are enrolled (or put on the waiting list), the others are
// reported line by line with the reason. Errors: NotFound, Forbidden,
// Invalid when no line can be imported.
func (s *Service) ImportRoster(ctx context.Context, classID string, rows []RosterRow) ([]RowOutcome, error) {
	class, _, err := s.classFor(ctx, classID, true)
	if err != nil {
		return nil, err
	}
	var out []RowOutcome
	_, err = s.changeClass(ctx, class, func(c *domain.Class) ([]domain.Fact, error) {
		out = make([]RowOutcome, len(rows))
		var facts []domain.Fact
		for i, r := range rows {
			out[i] = RowOutcome{Line: r.Line, Person: r.Person, Outcome: "enrolled"}
			waiting, fs, err := c.Enrol(r.Person, r.DisplayName, s.now())
			if e := errcode.As(err); e != nil {
				out[i].Outcome, out[i].Field, out[i].Reason = "rejected", e.Field, e.Message
				continue
			}
			if waiting {
				out[i].Outcome = "waiting"
			}
			facts = append(facts, fs...)
		}
		return facts, nil
	})
	return out, err
}

// Withdraw ends a person's enrolment with a reason (and a note kept in the
// service); the first on the waiting list takes the place.
// Errors: Invalid, NotFound, Forbidden.
func (s *Service) Withdraw(ctx context.Context, classID, person string, reason domain.WithdrawReason, note string) error {
	class, _, err := s.classFor(ctx, classID, true)
	if err != nil {
		return err
	}
	_, err = s.changeClass(ctx, class, func(c *domain.Class) ([]domain.Fact, error) {
		return c.Leave(person, domain.Withdrawn, reason, note, "", s.now())
	})
	return err
}

// Suspend pauses or resumes a person's enrolment. Errors: NotFound,
// Forbidden, Conflict.
func (s *Service) Suspend(ctx context.Context, classID, person string, suspend bool) error {
	class, _, err := s.classFor(ctx, classID, true)
	if err != nil {
		return err
	}
	_, err = s.changeClass(ctx, class, func(c *domain.Class) ([]domain.Fact, error) {
		return nil, c.Suspend(person, suspend, s.now())
	})
	return err
}

// Transfer moves a person to another class of the same course, keeping the
// hours attended. The new class is written first, so a failure half-way
// leaves the person in both and a retry completes the move.
// Errors: Invalid, NotFound, Forbidden, Conflict (the new class is full).
func (s *Service) Transfer(ctx context.Context, fromID, person, toID string) error {
	from, _, err := s.classFor(ctx, fromID, true)
	if err != nil {
		return err
	}
	if toID == "" || toID == fromID {
		return errcode.New(errcode.Invalid, "to_class_id", "must name another class")
	}
	to, _, err := s.classFor(ctx, toID, true)
	if errcode.Of(err) == errcode.NotFound {
		return errcode.New(errcode.Invalid, "to_class_id", "is not a class")
	}
	if err != nil {
		return err
	}
	if to.CourseID != from.CourseID {
		return errcode.New(errcode.Invalid, "to_class_id", "is a class of another course")
	}
	e := from.Find(person)
	if e == nil || (e.Status != domain.Enrolled && e.Status != domain.Suspended) {
		return errcode.New(errcode.NotFound, "person", "is not enrolled in this class")
	}
	carried := e.Figures
	_, err = s.updateClass(ctx, toID, func(c *domain.Class) ([]domain.Fact, error) {
		if t := c.Find(person); t != nil && t.Status == domain.Enrolled && t.TransferredFrom == fromID {
			return nil, nil // a retry: already there
		}
		return c.Arrive(person, e.DisplayName, fromID, carried, s.now())
	})
	if err != nil {
		return err
	}
	_, err = s.updateClass(ctx, fromID, func(c *domain.Class) ([]domain.Fact, error) {
		return c.Leave(person, domain.Transferred, domain.ReasonTransferred, "", toID, s.now())
	})
	return err
}

// Assess records an entry, progress or final assessment of a person of the
// class. Errors: Invalid, NotFound, Forbidden.
func (s *Service) Assess(ctx context.Context, a *domain.Assessment) error {
	class, p, err := s.classFor(ctx, a.ClassID, false)
	if err != nil {
		return err
	}
	e := class.Find(a.Person)
	if e == nil || e.Status == domain.Withdrawn || e.Status == domain.Transferred {
		return errcode.New(errcode.Invalid, "person", "is not enrolled in this class")
	}
	if err := a.Check(class.CourseKind); err != nil {
		return err
	}
	a.ID, a.By, a.At, a.Attended = s.newID(), p.Subject, s.now(), e.Figures.MinutesAttended
	a.CourseID, a.CourseKind, a.Organisation = class.CourseID, class.CourseKind, class.Organisation
	events, err := s.events.Assessment(ctx, a)
	if err != nil {
		return err
	}
	return s.Assessments.Create(ctx, a.ID, a, events)
}

// Certify issues the certificate of a person who attended enough and whose
// final assessment reaches the class's target, and completes their
// enrolment. Certifying again completes what a failure left half-done and
// answers issued false. Errors: Invalid, NotFound, Forbidden.
func (s *Service) Certify(ctx context.Context, classID, person string) (cert *domain.Certificate, issued bool, err error) {
	class, p, err := s.classFor(ctx, classID, true)
	if err != nil {
		return nil, false, err
	}
	as, err := s.Assessments.Of(ctx, classID, person)
	if err != nil {
		return nil, false, err
	}
	var final *domain.Assessment
	for _, a := range as {
		if a.Kind == domain.Final {
			final = a
		}
	}
	cert, err = domain.NewCertificate(class, person, final, s.cfg.AdmissionShareBP, p.Subject, s.now())
	if err != nil {
		return nil, false, err
	}
	events, err := s.events.Certificate(ctx, cert)
	if err != nil {
		return nil, false, err
	}
	issued = true
	if err := s.Certificates.Create(ctx, cert.ID, cert, events); errcode.Of(err) == errcode.Conflict {
		issued = false
	} else if err != nil {
		return nil, false, err
	}
	_, err = s.updateClass(ctx, classID, func(c *domain.Class) ([]domain.Fact, error) {
		if e := c.Find(person); e != nil && e.Status == domain.Completed {
			return nil, nil
		}
		facts, err := c.Leave(person, domain.Completed, "", "", "", s.now())
		for i := range facts {
			if facts[i].Kind == domain.FactCompleted {
				facts[i].Assessment = final
			}
		}
		return facts, err
	})
	return cert, issued, err
}

// ClassRecords is what the CSV exports read: a class, its lessons and its
// registers.
type ClassRecords struct {
	Class     *domain.Class
	Lessons   []*domain.Lesson
	Registers map[string]*domain.Register // by lesson id
}

// Records returns a class's lessons and registers for its teachers and
// coordinator. Errors: NotFound, Forbidden.
func (s *Service) Records(ctx context.Context, classID string) (*ClassRecords, error) {
	class, _, err := s.classFor(ctx, classID, false)
	if err != nil {
		return nil, err
	}
	from, to := class.StartDate.AddDate(0, 0, -1), class.EndDate.AddDate(0, 0, 2)
	if class.StartDate.IsZero() { // a class put without dates
		from, to = time.Unix(0, 0), s.now().AddDate(1, 0, 0)
	}
	lessons, err := s.Lessons.Between(ctx, []string{classID}, from, to)
	if err != nil {
		return nil, err
	}
	regs, err := s.Registers.OfClass(ctx, classID)
	if err != nil {
		return nil, err
	}
	out := &ClassRecords{Class: class, Lessons: lessons, Registers: make(map[string]*domain.Register, len(regs))}
	for _, r := range regs {
		out.Registers[r.LessonID] = r
	}
	return out, nil
}
