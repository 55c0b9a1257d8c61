package clients

import (
	"context"
	"time"
)

// Training is a client of the training API (services/training/openapi.yaml).
type Training struct{ c *Conn }

// NewTraining returns the training client of c.
func NewTraining(c *Conn) *Training { return &Training{c} }

// TrainingLesson is one lesson of an edition.
type TrainingLesson struct {
	ID        string    `json:"id"`
	EditionID string    `json:"edition_id"`
	ModuleID  string    `json:"module_id"`
	Start     time.Time `json:"start"`
	Minutes   int       `json:"minutes"`
	Cancelled bool      `json:"cancelled"`
}

// TrainingEnrolment is one person of an edition's roster.
type TrainingEnrolment struct {
	Person          string `json:"person"`
	DisplayName     string `json:"display_name"`
	Status          string `json:"status"`
	MinutesAttended *int   `json:"minutes_attended"`
	Admitted        *bool  `json:"admitted"`
}

// Edition is an edition as a list shows it.
type Edition struct {
	ID       string              `json:"id"`
	CourseID string              `json:"course_id"`
	Start    time.Time           `json:"start"`
	End      time.Time           `json:"end"`
	Roster   []TrainingEnrolment `json:"roster"`
}

// EditionView is an edition with its course and schedule.
type EditionView struct {
	Edition Edition `json:"edition"`
	Course  struct {
		Title           string `json:"title"`
		MinAttendanceBP int    `json:"min_attendance_bp"`
		Modules         []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
			Hours int    `json:"hours"`
		} `json:"modules"`
	} `json:"course"`
	Lessons []TrainingLesson `json:"lessons"`
}

type editionsResponse struct {
	Editions []Edition `json:"editions"`
}

type trainingLessonResponse struct {
	Lesson   TrainingLesson      `json:"lesson"`
	Roster   []TrainingEnrolment `json:"roster"`
	Register *Register           `json:"register"`
}

// Editions lists the editions the caller teaches.
func (t *Training) Editions(ctx context.Context) ([]Edition, error) {
	resp, err := get[editionsResponse](ctx, t.c, "training.editions", request{path: "/v1/editions"})
	return field(resp, err, func(r *editionsResponse) []Edition { return r.Editions })
}

// Edition returns edition id with its course and lessons.
func (t *Training) Edition(ctx context.Context, id string) (*EditionView, error) {
	return get[EditionView](ctx, t.c, "training.edition", request{path: pathOf("/v1/editions/", id)})
}

// Lesson returns a training lesson in the shape of a class lesson, so that
// one register page serves teachers and trainers.
func (t *Training) Lesson(ctx context.Context, id string) (*Lesson, error) {
	tl, err := get[trainingLessonResponse](ctx, t.c, "training.get_lesson", request{path: pathOf("/v1/lessons/", id)})
	if err != nil {
		return nil, err
	}
	var l Lesson
	l.Lesson.ID, l.Lesson.ClassID, l.Lesson.Start, l.Lesson.Minutes = tl.Lesson.ID, tl.Lesson.EditionID, tl.Lesson.Start, tl.Lesson.Minutes
	l.Lesson.Status = "scheduled"
	if tl.Lesson.Cancelled {
		l.Lesson.Status = "cancelled"
	}
	l.Class.ID, l.Class.Title, l.Class.CourseKind = tl.Lesson.EditionID, tl.Lesson.EditionID+" · "+tl.Lesson.ModuleID, "vocational"
	for _, e := range tl.Roster {
		l.Class.Roster = append(l.Class.Roster, Member{e.Person, e.DisplayName, e.Status})
	}
	l.Register = tl.Register
	return &l, nil
}

// RecordRegister records the marks of training lesson id.
func (t *Training) RecordRegister(ctx context.Context, id string, marks []Mark) (*Register, error) {
	return recordRegister(ctx, t.c, "training.record_register", id, marks)
}
