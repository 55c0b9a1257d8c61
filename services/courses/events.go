package courses

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/register"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Topic is where courses publishes its facts, keyed by person pseudonym.
const Topic = "percorsi.courses.events"

const producer = "courses"

// RegisterEvents derives the events of a new register: one
// AttendanceRecorded per mark, carrying no personal data.
func RegisterEvents(ctx context.Context, r *domain.Register) ([]outbox.Message, error) {
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
			Status:          status(m.Status),
			MinutesAttended: uint32(m.Minutes),
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

func courseKind(k domain.CourseKind) coursesv1.CourseKind {
	switch k {
	case domain.ItalianL2:
		return coursesv1.CourseKind_COURSE_KIND_ITALIAN_L2
	case domain.Digital:
		return coursesv1.CourseKind_COURSE_KIND_DIGITAL
	}
	return coursesv1.CourseKind_COURSE_KIND_UNSPECIFIED
}

func status(s register.Status) registerv1.AttendanceStatus {
	switch s {
	case register.Present:
		return registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT
	case register.Absent:
		return registerv1.AttendanceStatus_ATTENDANCE_STATUS_ABSENT
	case register.Late:
		return registerv1.AttendanceStatus_ATTENDANCE_STATUS_LATE
	case register.Excused:
		return registerv1.AttendanceStatus_ATTENDANCE_STATUS_EXCUSED
	}
	return registerv1.AttendanceStatus_ATTENDANCE_STATUS_UNSPECIFIED
}
