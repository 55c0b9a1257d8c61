package pathway

import (
	"context"
	"strings"

	"github.com/segmentio/kafka-go"

	"github.com/percorsi/percorsi/pkg/events"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// Topics pathway consumes, and where what it cannot apply goes.
const (
	CoursesTopic    = "percorsi.courses.events"
	DeadLetterTopic = "percorsi.pathway.deadletter"
	ConsumerGroup   = "pathway"
)

// RecordRequest asks to add one fact to a timeline; Entry is nil for an
// event pathway has no use for (a newer type from another service).
type RecordRequest struct {
	Entry *domain.Entry
}

// DecodeEvent opens an envelope from Kafka into a RecordRequest. What
// can't be decoded is an errcode.Invalid: the subscriber dead-letters it.
func DecodeEvent(_ context.Context, m kafka.Message) (any, error) {
	ev, err := events.Unmarshal(m.Value)
	if err != nil {
		return nil, err
	}
	e := &domain.Entry{
		EventID: ev.ID, Person: ev.Person, Type: ev.Type, Producer: ev.Producer, Organisation: ev.Organisation,
		OccurredAt: ev.OccurredAt, RecordedAt: ev.RecordedAt,
	}
	switch p := ev.Payload.(type) {
	case *coursesv1.AttendanceRecorded:
		e.Attendance = &domain.Attendance{
			CourseKind:    enumName(p.CourseKind.String(), "COURSE_KIND_"),
			ClassID:       p.ClassId,
			LessonID:      p.LessonId,
			Status:        enumName(p.Status.String(), "ATTENDANCE_STATUS_"),
			Minutes:       int(p.MinutesAttended),
			LessonMinutes: int(p.LessonMinutes),
		}
		if p.Status == registerv1.AttendanceStatus_ATTENDANCE_STATUS_UNSPECIFIED {
			return nil, invalid("payload.status", "is unspecified")
		}
	default:
		return RecordRequest{}, nil
	}
	return RecordRequest{Entry: e}, nil
}

// enumName turns ATTENDANCE_STATUS_LATE into "late".
func enumName(s, prefix string) string {
	return strings.ToLower(strings.TrimPrefix(s, prefix))
}
