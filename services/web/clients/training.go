package clients

import (
	"context"

	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
)

// Training is a client of the training gRPC API
// (proto/percorsi/training/v1/training_service.proto).
type Training struct{ c *Conn }

// NewTraining returns the training client of c.
func NewTraining(c *Conn) *Training { return &Training{c} }

// Editions lists the editions the caller teaches.
func (t *Training) Editions(ctx context.Context) ([]*trainingv1.Edition, error) {
	resp, err := call[trainingv1.ListEditionsResponse](ctx, t.c, t.c.retried, "training.editions", trainingv1.TrainingService_ListEditions_FullMethodName, &trainingv1.ListEditionsRequest{})
	return resp.GetEditions(), err
}

// Edition returns edition id with its course and lessons.
func (t *Training) Edition(ctx context.Context, id string) (*trainingv1.GetEditionResponse, error) {
	return call[trainingv1.GetEditionResponse](ctx, t.c, t.c.retried, "training.edition", trainingv1.TrainingService_GetEdition_FullMethodName, &trainingv1.GetEditionRequest{EditionId: id})
}

// Lesson returns a training lesson for the register page.
func (t *Training) Lesson(ctx context.Context, id string) (*Lesson, error) {
	resp, err := call[trainingv1.GetLessonResponse](ctx, t.c, t.c.retried, "training.get_lesson", trainingv1.TrainingService_GetLesson_FullMethodName, &trainingv1.GetLessonRequest{LessonId: id})
	if err != nil {
		return nil, err
	}
	l := resp.GetLesson()
	out := &Lesson{
		ID: l.GetId(), ClassID: l.GetEditionId(), ClassTitle: l.GetEditionId() + " · " + l.GetModuleId(), Start: l.GetStart().AsTime(),
		Minutes: int(l.GetMinutes()), Cancelled: l.GetCancelled(), Edition: true,
	}
	for _, e := range resp.GetRoster() {
		out.Roster = append(out.Roster, Member{e.GetPerson(), e.GetDisplayName(), e.GetStatus()})
	}
	out.Register, err = readRegister(resp.Register != nil, resp.GetRegister().GetRecordedAt().AsTime(), resp.GetRegister().GetMarks())
	return out, err
}

// RecordRegister records the marks of training lesson id. Training
// answers the stored register again to the same marks, so it is safe to
// repeat.
func (t *Training) RecordRegister(ctx context.Context, id string, marks []Mark) error {
	req := &trainingv1.RecordRegisterRequest{LessonId: id, Marks: marksOf(marks, func(m Mark, s registerv1.AttendanceStatus) *trainingv1.Mark {
		return &trainingv1.Mark{Person: m.Person, Status: s, Minutes: uint32(m.Minutes)}
	})}
	_, err := call[trainingv1.RecordRegisterResponse](ctx, t.c, t.c.retried, "training.record_register", trainingv1.TrainingService_RecordRegister_FullMethodName, req)
	return err
}
