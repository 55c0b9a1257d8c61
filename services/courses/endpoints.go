package courses

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/instrument"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Endpoints are the courses use cases as go-kit endpoints, shared by every
// transport.
type Endpoints struct {
	GetLesson      endpoint.Endpoint
	RecordRegister endpoint.Endpoint
}

// MakeEndpoints wraps each use case in the same chain: instrumentation
// outermost, then authentication and role check.
func MakeEndpoints(s *Service, v auth.Verifier, log *slog.Logger, m *instrument.Metrics) Endpoints {
	wrap := func(name string, e endpoint.Endpoint, roles ...auth.Role) endpoint.Endpoint {
		return endpoint.Chain(instrument.Endpoint(name, log, m), auth.Require(v, roles...))(e)
	}
	staff := []auth.Role{auth.Teacher, auth.Coordinator}
	return Endpoints{
		GetLesson:      wrap("get_lesson", makeGetLesson(s), staff...),
		RecordRegister: wrap("record_register", makeRecordRegister(s), staff...),
	}
}

// GetLessonRequest asks for a lesson to mark.
type GetLessonRequest struct {
	LessonID string
}

// LessonResponse is a lesson with its class roster and register, if any.
type LessonResponse struct {
	Lesson   LessonJSON    `json:"lesson"`
	Class    ClassJSON     `json:"class"`
	Register *RegisterJSON `json:"register"`
}

// LessonJSON is a lesson on the wire.
type LessonJSON struct {
	ID      string    `json:"id"`
	ClassID string    `json:"class_id"`
	Start   time.Time `json:"start"`
	Minutes int       `json:"minutes"`
	Status  string    `json:"status"`
}

// ClassJSON is a class on the wire, its people by display name.
type ClassJSON struct {
	ID         string          `json:"id"`
	Title      string          `json:"title"`
	CourseKind string          `json:"course_kind"`
	Roster     []EnrolmentJSON `json:"roster"`
}

// EnrolmentJSON is one person in a roster.
type EnrolmentJSON struct {
	Person      string `json:"person"`
	DisplayName string `json:"display_name"`
	Status      string `json:"status"`
}

func makeGetLesson(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(GetLessonRequest)
		v, err := s.Lesson(ctx, req.LessonID)
		if err != nil {
			return nil, err
		}
		resp := LessonResponse{
			Lesson: LessonJSON{ID: v.Lesson.ID, ClassID: v.Lesson.ClassID, Start: v.Lesson.Start, Minutes: v.Lesson.Minutes, Status: string(v.Lesson.Status)},
			Class:  ClassJSON{ID: v.Class.ID, Title: v.Class.Title, CourseKind: string(v.Class.CourseKind), Roster: []EnrolmentJSON{}},
		}
		for _, e := range v.Class.Roster {
			resp.Class.Roster = append(resp.Class.Roster, EnrolmentJSON{Person: e.Person, DisplayName: e.DisplayName, Status: string(e.Status)})
		}
		if v.Register != nil {
			r := registerJSON(v.Register, v.Class)
			resp.Register = &r
		}
		return resp, nil
	}
}

// RecordRegisterRequest is a lesson's register as a teacher submits it.
type RecordRegisterRequest struct {
	LessonID string
	Marks    []MarkJSON
}

// MarkJSON is one line of a register.
type MarkJSON struct {
	Person      string `json:"person"`
	DisplayName string `json:"display_name,omitempty"` // in responses only
	Status      string `json:"status"`
	Minutes     int    `json:"minutes"`
}

// RegisterJSON is a stored register.
type RegisterJSON struct {
	LessonID   string     `json:"lesson_id"`
	ClassID    string     `json:"class_id"`
	RecordedBy string     `json:"recorded_by"`
	RecordedAt time.Time  `json:"recorded_at"`
	Marks      []MarkJSON `json:"marks"`
}

// RegisterResponse answers a submission: 201 when stored now, 200 when the
// same register was already stored.
type RegisterResponse struct {
	Register RegisterJSON `json:"register"`
	created  bool
}

// StatusCode implements kithttp.StatusCoder.
func (r RegisterResponse) StatusCode() int {
	if r.created {
		return http.StatusCreated
	}
	return http.StatusOK
}

func makeRecordRegister(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(RecordRegisterRequest)
		marks := make([]register.Mark, len(req.Marks))
		for i, m := range req.Marks {
			marks[i] = register.Mark{Person: m.Person, Status: register.Status(m.Status), Minutes: m.Minutes}
		}
		reg, created, err := s.RecordRegister(ctx, req.LessonID, marks)
		if err != nil {
			return nil, err
		}
		return RegisterResponse{Register: registerJSON(reg, nil), created: created}, nil
	}
}

func registerJSON(r *domain.Register, class *domain.Class) RegisterJSON {
	names := map[string]string{}
	if class != nil {
		for _, e := range class.Roster {
			names[e.Person] = e.DisplayName
		}
	}
	out := RegisterJSON{LessonID: r.LessonID, ClassID: r.ClassID, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt, Marks: []MarkJSON{}}
	for _, m := range r.Marks {
		out.Marks = append(out.Marks, MarkJSON{Person: m.Person, DisplayName: names[m.Person], Status: string(m.Status), Minutes: m.Minutes})
	}
	return out
}
