package courses

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/pkg/register/registerpb"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Topic is where courses publishes its facts, keyed by person pseudonym.
const Topic = "percorsi.courses.events"

const producer = "courses"

// Events derives what courses publishes from what it stores. Every event
// names the person by pseudonym only and carries what the pathway shows of
// progress: course kind and target, hours so far, rate and admission. A
// withdrawal's free-text note never leaves the service.
type Events struct {
	// AdmissionShareBP is the share of planned hours for admission.
	AdmissionShareBP int
}

func (ev Events) progress(f register.Figures, planned int) *coursesv1.Progress {
	return &coursesv1.Progress{
		MinutesAttended: uint32(f.MinutesAttended), MinutesHeld: uint32(f.MinutesHeld), PlannedMinutes: uint32(planned),
		RateBp: uint32(f.RateBP()), AdmittedToFinal: f.Reaches(ev.AdmissionShareBP, planned),
	}
}

func classCourse(c *domain.Class) *coursesv1.Course {
	return &coursesv1.Course{
		ClassId: c.ID, CourseId: c.CourseID, CourseKind: courseKind(c.CourseKind),
		TargetCefr: cefr(c.TargetLevel), TargetDigcomp: uint32(c.TargetDigComp),
	}
}

// Register derives the events of a register's latest write: one
// AttendanceRecorded per mark when it is recorded, one AttendanceCorrected
// per changed line when it is corrected.
func (ev Events) Register(ctx context.Context, r *domain.Register) ([]outbox.Message, error) {
	if len(r.Changed) > 0 {
		return ev.corrected(ctx, r)
	}
	msgs := make([]outbox.Message, 0, len(r.Marks))
	for _, m := range r.Marks {
		payload := &coursesv1.AttendanceRecorded{
			RegisterId:      r.LessonID,
			LessonId:        r.LessonID,
			ClassId:         r.ClassID,
			CourseId:        r.CourseID,
			CourseKind:      courseKind(r.CourseKind),
			LessonStart:     timestamppb.New(r.LessonStart),
			LessonMinutes:   uint32(r.LessonMinutes),
			Status:          registerpb.Status(m.Status),
			MinutesAttended: uint32(m.Minutes),
		}
		if f, ok := r.Figures[m.Person]; ok {
			payload.Progress = ev.progress(f, r.PlannedMinutes)
		}
		msg, err := outbox.Seal(ctx, Topic, events.Meta{
			ID: events.NewID(), Person: m.Person, Organisation: r.Organisation, Producer: producer,
			OccurredAt: r.LessonStart, RecordedAt: r.RecordedAt,
		}, payload)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

func (ev Events) corrected(ctx context.Context, r *domain.Register) ([]outbox.Message, error) {
	msgs := make([]outbox.Message, 0, len(r.Changed))
	for _, c := range r.Changed {
		payload := &coursesv1.AttendanceCorrected{
			RegisterId: r.LessonID, LessonId: r.LessonID,
			Course:      &coursesv1.Course{ClassId: r.ClassID, CourseId: r.CourseID, CourseKind: courseKind(r.CourseKind)},
			LessonStart: timestamppb.New(r.LessonStart), LessonMinutes: uint32(r.LessonMinutes),
			PreviousStatus: registerpb.Status(c.From.Status), PreviousMinutes: uint32(c.From.Minutes),
			Status: registerpb.Status(c.To.Status), MinutesAttended: uint32(c.To.Minutes),
			Revision: uint32(r.Revision - 1),
		}
		msg, err := outbox.Seal(ctx, Topic, events.Meta{
			ID: events.NewID(), Person: c.Person, Organisation: r.Organisation, Producer: producer,
			OccurredAt: c.At, RecordedAt: c.At,
		}, payload)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// Class derives the events of facts about people of a class.
func (ev Events) Class(ctx context.Context, c *domain.Class, facts []domain.Fact) ([]outbox.Message, error) {
	msgs := make([]outbox.Message, 0, len(facts))
	for _, f := range facts {
		course, progress := classCourse(c), ev.progress(f.Figures, c.PlannedMinutes)
		var payload proto.Message
		switch f.Kind {
		case domain.FactEnrolled:
			payload = &coursesv1.EnrolledInCourse{
				Course: course, ClassStart: timestamp(c.StartDate), ClassEnd: timestamp(c.EndDate),
				TransferredFromClassId: f.OtherClass, Progress: progress,
			}
		case domain.FactWithdrawn:
			payload = &coursesv1.CourseWithdrawn{Course: course, Reason: withdrawReason(f.Reason), Progress: progress, TransferredToClassId: f.OtherClass}
		case domain.FactCompleted:
			p := &coursesv1.CourseCompleted{Course: course, Progress: progress}
			if a := f.Assessment; a != nil {
				p.CefrLevel, p.DigcompByArea = cefr(a.Overall), digcomp(a.ByArea)
			}
			payload = p
		case domain.FactStreak:
			payload = &coursesv1.AbsenceStreakReached{
				Course: course, LastLessonId: f.LessonID, ConsecutiveAbsences: uint32(f.Figures.ConsecutiveAbsences), Progress: progress,
			}
		default:
			continue
		}
		msg, err := outbox.Seal(ctx, Topic, events.Meta{
			ID: events.NewID(), Person: f.Person, Organisation: c.Organisation, Producer: producer, OccurredAt: f.At, RecordedAt: f.At,
		}, payload)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// Assessment derives LevelAssessed.
func (ev Events) Assessment(ctx context.Context, a *domain.Assessment) ([]outbox.Message, error) {
	payload := &coursesv1.LevelAssessed{
		AssessmentId: a.ID, ClassId: a.ClassID, CourseId: a.CourseID, CourseKind: courseKind(a.CourseKind), Kind: assessmentKind(a.Kind),
		CefrOverall: cefr(a.Overall), DigcompByArea: digcomp(a.ByArea), HoursAttended: uint32(a.Attended / 60),
	}
	if len(a.BySkill) > 0 {
		payload.CefrBySkill = map[string]coursesv1.CefrLevel{}
		for s, l := range a.BySkill {
			payload.CefrBySkill[s] = cefr(l)
		}
	}
	msg, err := outbox.Seal(ctx, Topic, events.Meta{
		ID: events.NewID(), Person: a.Person, Organisation: a.Organisation, Producer: producer, OccurredAt: a.At, RecordedAt: a.At,
	}, payload)
	if err != nil {
		return nil, err
	}
	return []outbox.Message{msg}, nil
}

// Certificate derives CertificateIssued.
func (ev Events) Certificate(ctx context.Context, c *domain.Certificate) ([]outbox.Message, error) {
	a := c.Assessment
	payload := &coursesv1.CertificateIssued{
		CertificateId: c.ID, Course: classCourse(c.Class), CefrLevel: cefr(a.Overall), DigcompByArea: digcomp(a.ByArea),
	}
	if e := c.Class.Find(c.Person); e != nil {
		payload.Progress = ev.progress(e.Figures, c.Class.PlannedMinutes)
	}
	msg, err := outbox.Seal(ctx, Topic, events.Meta{
		ID: events.NewID(), Person: c.Person, Organisation: c.Class.Organisation, Producer: producer, OccurredAt: c.At, RecordedAt: c.At,
	}, payload)
	if err != nil {
		return nil, err
	}
	return []outbox.Message{msg}, nil
}

// timestamp is nil for a date a seeded class left unset.
func timestamp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func courseKind(k domain.CourseKind) coursesv1.CourseKind {
	switch k {
	case domain.ItalianL2:
		return coursesv1.CourseKind_COURSE_KIND_ITALIAN_L2
	case domain.Digital:
		return coursesv1.CourseKind_COURSE_KIND_DIGITAL
	}
	return coursesv1.CourseKind_COURSE_KIND_UNSPECIFIED
}

func cefr(l domain.Level) coursesv1.CefrLevel {
	return coursesv1.CefrLevel(l.Rank()) // the enum follows domain.Levels' order from 1
}

func digcomp(byArea map[string]int) map[string]uint32 {
	if len(byArea) == 0 {
		return nil
	}
	out := make(map[string]uint32, len(byArea))
	for a, l := range byArea {
		out[a] = uint32(l)
	}
	return out
}

func assessmentKind(k domain.AssessmentKind) coursesv1.AssessmentKind {
	switch k {
	case domain.Placement:
		return coursesv1.AssessmentKind_ASSESSMENT_KIND_PLACEMENT
	case domain.Progress:
		return coursesv1.AssessmentKind_ASSESSMENT_KIND_PROGRESS
	case domain.Final:
		return coursesv1.AssessmentKind_ASSESSMENT_KIND_FINAL
	}
	return coursesv1.AssessmentKind_ASSESSMENT_KIND_UNSPECIFIED
}

func withdrawReason(r domain.WithdrawReason) coursesv1.WithdrawReason {
	switch r {
	case "work":
		return coursesv1.WithdrawReason_WITHDRAW_REASON_WORK
	case "moved":
		return coursesv1.WithdrawReason_WITHDRAW_REASON_MOVED
	case "health":
		return coursesv1.WithdrawReason_WITHDRAW_REASON_HEALTH
	case "family":
		return coursesv1.WithdrawReason_WITHDRAW_REASON_FAMILY
	case "no_show":
		return coursesv1.WithdrawReason_WITHDRAW_REASON_NO_SHOW
	case domain.ReasonTransferred:
		return coursesv1.WithdrawReason_WITHDRAW_REASON_TRANSFERRED
	case "other":
		return coursesv1.WithdrawReason_WITHDRAW_REASON_OTHER
	}
	return coursesv1.WithdrawReason_WITHDRAW_REASON_UNSPECIFIED
}
