package pathway_test

import (
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/events"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
	"github.com/percorsi/percorsi/services/pathway"
)

func attendance(status registerv1.AttendanceStatus) []byte {
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	b, err := events.Marshal(events.Meta{
		ID: "e1", Person: "ps-1", Organisation: "cpia1", Producer: "courses", OccurredAt: at, RecordedAt: at.Add(time.Hour),
	}, &coursesv1.AttendanceRecorded{
		LessonId: "l1", ClassId: "c1", CourseKind: coursesv1.CourseKind_COURSE_KIND_ITALIAN_L2,
		LessonStart: timestamppb.New(at), LessonMinutes: 120, Status: status, MinutesAttended: 90,
	})
	if err != nil {
		panic(err)
	}
	return b
}

func TestDecodeEvent(t *testing.T) {
	t.Parallel()
	req, err := pathway.DecodeEvent(t.Context(), kafka.Message{Value: attendance(registerv1.AttendanceStatus_ATTENDANCE_STATUS_LATE)})
	if err != nil {
		t.Fatal(err)
	}
	e := req.(pathway.RecordRequest).Entry
	if e.EventID != "e1" || e.Person != "ps-1" || e.Attendance == nil ||
		e.Attendance.Status != "late" || e.Attendance.CourseKind != "italian_l2" || e.Attendance.Minutes != 90 {
		t.Fatalf("decoded %+v %+v", e, e.Attendance)
	}

	// An event type pathway has no use for yet is skipped, not dead-lettered.
	other, err := events.Marshal(events.Meta{ID: "e2", Person: "ps-1", Producer: "training", OccurredAt: time.Now(), RecordedAt: time.Now()},
		&trainingv1.QualificationAwarded{EditionId: "ed1"})
	if err != nil {
		t.Fatal(err)
	}
	if req, err := pathway.DecodeEvent(t.Context(), kafka.Message{Value: other}); err != nil || req.(pathway.RecordRequest).Entry != nil {
		t.Fatalf("other type: %v %v", req, err)
	}

	_, err = pathway.DecodeEvent(t.Context(), kafka.Message{Value: attendance(registerv1.AttendanceStatus_ATTENDANCE_STATUS_UNSPECIFIED)})
	if e := errcode.As(err); e == nil || e.Field != "payload.status" {
		t.Fatalf("unspecified status: %v", err)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add(attendance(registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := pathway.DecodeEvent(t.Context(), kafka.Message{Value: b})
		if err != nil {
			if errcode.Of(err) != errcode.Invalid {
				t.Fatalf("not a coded invalid: %v", err)
			}
			return
		}
		if e := req.(pathway.RecordRequest).Entry; e != nil && (e.EventID == "" || e.Person == "") {
			t.Fatalf("accepted an entry without id or person: %+v", e)
		}
	})
}
