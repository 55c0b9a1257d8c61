package clients

import (
	"context"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/pkg/register/registerpb"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
)

// Courses is a client of the courses gRPC API
// (proto/percorsi/courses/v1/courses_service.proto).
type Courses struct{ c *Conn }

// NewCourses returns the courses client of c.
func NewCourses(c *Conn) *Courses { return &Courses{c} }

// Lesson is a lesson of courses or training as its register shows it:
// one register page serves teachers and trainers.
type Lesson struct {
	ID, ClassID, ClassTitle string
	Start                   time.Time
	Minutes                 int
	Cancelled               bool
	Edition                 bool     // a training lesson: its class is an edition
	Roster                  []Member // everyone of the class, whatever their status
	Register                *Register
}

// Member is one person of a class's roster.
type Member struct{ Person, DisplayName, Status string }

// Mark is one person's attendance at a lesson, as the register form has it.
type Mark struct {
	Person, Status string
	Minutes        int
}

// Register is a lesson's recorded attendance.
type Register struct {
	RecordedAt time.Time
	Marks      []register.Mark
}

// readRegister is the register of a lesson, nil until recorded.
func readRegister[M registerpb.Mark](recorded bool, at time.Time, marks []M) (*Register, error) {
	if !recorded {
		return nil, nil
	}
	ms, err := registerpb.Marks(marks)
	if err != nil {
		return nil, errcode.Wrap(errcode.Internal, err, "a register web cannot read")
	}
	return &Register{RecordedAt: at, Marks: ms}, nil
}

// marksOf is the form's marks as a service's Mark messages, made by mark:
// courses' and training's carry the same person, status and minutes.
func marksOf[M any](marks []Mark, mark func(Mark, registerv1.AttendanceStatus) *M) []*M {
	out := make([]*M, len(marks))
	for i, m := range marks {
		out[i] = mark(m, registerpb.Status(register.Status(m.Status)))
	}
	return out
}

// Today returns the lessons the caller in ctx teaches today.
func (c *Courses) Today(ctx context.Context) (*coursesv1.ListLessonsResponse, error) {
	return call[coursesv1.ListLessonsResponse](ctx, c.c, c.c.retried, "courses.today", coursesv1.CoursesService_ListLessons_FullMethodName, &coursesv1.ListLessonsRequest{})
}

// Lesson returns the lesson id, as the caller in ctx may see it.
func (c *Courses) Lesson(ctx context.Context, id string) (*Lesson, error) {
	resp, err := call[coursesv1.GetLessonResponse](ctx, c.c, c.c.retried, "courses.get_lesson", coursesv1.CoursesService_GetLesson_FullMethodName, &coursesv1.GetLessonRequest{LessonId: id})
	if err != nil {
		return nil, err
	}
	l := resp.GetLesson()
	out := &Lesson{
		ID: l.GetId(), ClassID: l.GetClassId(), ClassTitle: resp.GetClassTitle(), Start: l.GetStart().AsTime(), Minutes: int(l.GetMinutes()),
		Cancelled: l.GetStatus() == "cancelled",
	}
	for _, p := range resp.GetPeople() {
		out.Roster = append(out.Roster, Member{p.GetPerson(), p.GetDisplayName(), p.GetStatus()})
	}
	out.Register, err = readRegister(resp.Register != nil, resp.GetRegister().GetRecordedAt().AsTime(), resp.GetRegister().GetMarks())
	return out, err
}

// Attendance returns class id with each person's attendance figures.
func (c *Courses) Attendance(ctx context.Context, id string) (*coursesv1.GetClassAttendanceResponse, error) {
	return call[coursesv1.GetClassAttendanceResponse](ctx, c.c, c.c.retried, "courses.attendance", coursesv1.CoursesService_GetClassAttendance_FullMethodName, &coursesv1.GetClassAttendanceRequest{ClassId: id})
}

// RecordRegister records the marks of lesson id. Courses answers the
// stored register again to the same marks, so it is safe to repeat.
func (c *Courses) RecordRegister(ctx context.Context, id string, marks []Mark) error {
	req := &coursesv1.RecordRegisterRequest{LessonId: id, Marks: marksOf(marks, func(m Mark, s registerv1.AttendanceStatus) *coursesv1.Mark {
		return &coursesv1.Mark{Person: m.Person, Status: s, Minutes: uint32(m.Minutes)}
	})}
	_, err := call[coursesv1.RecordRegisterResponse](ctx, c.c, c.c.retried, "courses.record_register", coursesv1.CoursesService_RecordRegister_FullMethodName, req)
	return err
}
