package clients

import (
	"context"
	"net/http"
	"time"
)

// Courses is a client of the courses API (services/courses/openapi.yaml).
type Courses struct{ c *Conn }

// NewCourses returns the courses client of c.
func NewCourses(c *Conn) *Courses { return &Courses{c} }

// Day is the caller's lessons of one day.
type Day struct {
	Date    string `json:"date"`
	Lessons []struct {
		ID         string    `json:"id"`
		ClassID    string    `json:"class_id"`
		Start      time.Time `json:"start"`
		Minutes    int       `json:"minutes"`
		Status     string    `json:"status"`
		ClassTitle string    `json:"class_title"`
		Site       string    `json:"site"`
		Expected   int       `json:"expected"`
	} `json:"lessons"`
}

// Lesson is a lesson with its class roster and, once recorded, its register.
type Lesson struct {
	Lesson struct {
		ID      string    `json:"id"`
		ClassID string    `json:"class_id"`
		Start   time.Time `json:"start"`
		Minutes int       `json:"minutes"`
		Status  string    `json:"status"`
	} `json:"lesson"`
	Class struct {
		ID         string   `json:"id"`
		Title      string   `json:"title"`
		CourseKind string   `json:"course_kind"`
		Roster     []Member `json:"roster"`
	} `json:"class"`
	Register *Register `json:"register"`
}

// Member is one person of a class's roster.
type Member struct {
	Person      string `json:"person"`
	DisplayName string `json:"display_name"`
	Status      string `json:"status"`
}

// Mark is one person's attendance at a lesson.
type Mark struct {
	Person      string `json:"person"`
	DisplayName string `json:"display_name,omitempty"`
	Status      string `json:"status"`
	Minutes     int    `json:"minutes,omitempty"`
}

// Register is a lesson's recorded attendance.
type Register struct {
	LessonID   string    `json:"lesson_id"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
	Marks      []Mark    `json:"marks"`
}

// Attendance is a class with each person's figures.
type Attendance struct {
	Class struct {
		ID         string `json:"id"`
		Title      string `json:"title"`
		CourseKind string `json:"course_kind"`
		Roster     []struct {
			Person              string  `json:"person"`
			DisplayName         string  `json:"display_name"`
			Status              string  `json:"status"`
			MinutesAttended     int     `json:"minutes_attended"`
			MinutesHeld         int     `json:"minutes_held"`
			RatePercent         float64 `json:"rate_percent"`
			ConsecutiveAbsences int     `json:"consecutive_absences"`
			AdmittedToFinal     bool    `json:"admitted_to_final"`
		} `json:"roster"`
	} `json:"class"`
	AdmissionPercent float64 `json:"admission_percent"`
}

type registerRequest struct {
	Marks []Mark `json:"marks"`
}

type registerResponse struct {
	Register Register `json:"register"`
}

// Today returns the lessons the caller in ctx teaches today.
func (c *Courses) Today(ctx context.Context) (*Day, error) {
	return get[Day](ctx, c.c, "courses.today", request{path: "/v1/lessons"})
}

// Lesson returns the lesson id, as the caller in ctx may see it.
func (c *Courses) Lesson(ctx context.Context, id string) (*Lesson, error) {
	return get[Lesson](ctx, c.c, "courses.get_lesson", request{path: pathOf("/v1/lessons/", id)})
}

// Attendance returns class id with each person's attendance figures.
func (c *Courses) Attendance(ctx context.Context, id string) (*Attendance, error) {
	return get[Attendance](ctx, c.c, "courses.attendance", request{path: pathOf("/v1/classes/", id, "/attendance")})
}

// RecordRegister records the marks of lesson id.
func (c *Courses) RecordRegister(ctx context.Context, id string, marks []Mark) (*Register, error) {
	return recordRegister(ctx, c.c, "courses.record_register", id, marks)
}

// recordRegister records the marks of a lesson of courses or training:
// the two keep registers alike, and answer the stored register again to
// the same PUT, so it is safe to repeat.
func recordRegister(ctx context.Context, c *Conn, name, id string, marks []Mark) (*Register, error) {
	for i := range marks {
		marks[i].DisplayName = "" // the APIs take pseudonyms only
	}
	resp, err := send[registerResponse](ctx, c, c.retried, name, http.MethodPut, request{path: pathOf("/v1/lessons/", id, "/register"), body: registerRequest{Marks: marks}})
	return field(resp, err, func(r *registerResponse) *Register { return &r.Register })
}
