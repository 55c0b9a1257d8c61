package pathway_test

import (
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/events"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	housingv1 "github.com/percorsi/percorsi/proto/percorsi/housing/v1"
	jobsv1 "github.com/percorsi/percorsi/proto/percorsi/jobs/v1"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
	"github.com/percorsi/percorsi/services/pathway"
	"github.com/percorsi/percorsi/services/pathway/domain"
	"google.golang.org/protobuf/proto"
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
	other, err := events.Marshal(events.Meta{ID: "e2", Person: "ps-1", Producer: "jobs", OccurredAt: time.Now(), RecordedAt: time.Now()},
		&jobsv1.MatchProposed{ProposalId: "p1"})
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

// Every fact pathway reads becomes a normalised Fact.
func TestDecodeFacts(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		payload proto.Message
		want    domain.Fact
	}{
		{&coursesv1.LevelAssessed{AssessmentId: "a1", CourseKind: coursesv1.CourseKind_COURSE_KIND_ITALIAN_L2, CefrOverall: coursesv1.CefrLevel_CEFR_LEVEL_A2},
			domain.Fact{Kind: "level_assessed", Ref: "a1", Detail: "italian_l2", Level: "a2"}},
		{&coursesv1.LevelAssessed{AssessmentId: "a2", CourseKind: coursesv1.CourseKind_COURSE_KIND_DIGITAL, DigcompByArea: map[string]uint32{"safety": 2, "information": 4}},
			domain.Fact{Kind: "level_assessed", Ref: "a2", Detail: "digital", Level: "4"}},
		{&trainingv1.QualificationAwarded{EditionId: "ed1", EqfLevel: 3, RepertoireCode: "LZ-123"},
			domain.Fact{Kind: "qualification_awarded", Ref: "ed1", Level: "3", Detail: "LZ-123"}},
		{&jobsv1.PlacementConfirmed{PlacementId: "pl1", Kind: jobsv1.ConfirmationKind_CONFIRMATION_KIND_START, On: timestamppb.New(at)},
			domain.Fact{Kind: "placement_confirmed", Ref: "pl1", Detail: "start", On: at}},
		{&housingv1.HousingExited{LastStepId: "s1", LastKind: housingv1.StepKind_STEP_KIND_SEMI_AUTONOMY_FLAT, Destination: housingv1.Destination_DESTINATION_UNKNOWN, ExitedAt: timestamppb.New(at)},
			domain.Fact{Kind: "housing_exited", Ref: "s1", Level: "semi_autonomy_flat", Detail: "unknown", On: at}},
		{&pathwayv1.PermitRecorded{Kind: pathwayv1.PermitKind_PERMIT_KIND_WORK_EMPLOYED, ConvertedFrom: pathwayv1.PermitKind_PERMIT_KIND_SPECIAL_CASES_ART18, ValidFrom: timestamppb.New(at), MayWork: true},
			domain.Fact{Kind: "permit_recorded", Level: "work_employed", Detail: "special_cases_art18", On: at, Flag: true}},
	} {
		b, err := events.Marshal(events.Meta{ID: "e", Person: "ps-1", Producer: "x", OccurredAt: at, RecordedAt: at}, tc.payload)
		if err != nil {
			t.Fatal(err)
		}
		req, err := pathway.DecodeEvent(t.Context(), kafka.Message{Value: b})
		if err != nil {
			t.Fatalf("%T: %v", tc.payload, err)
		}
		e := req.(pathway.RecordRequest).Entry
		if e == nil || e.Fact == nil || *e.Fact != tc.want {
			t.Errorf("%T: got %+v, want %+v", tc.payload, e.Fact, tc.want)
		}
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
