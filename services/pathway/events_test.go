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
		&jobsv1.ProfileUpdated{Fields: []string{"skills"}, Source: "counsellor"})
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

// Register marks of courses and training, recorded or corrected, become
// Attendance: a training edition stands for a class.
func TestDecodeAttendance(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	present, absent := registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT, registerv1.AttendanceStatus_ATTENDANCE_STATUS_ABSENT
	for _, tc := range []struct {
		payload proto.Message
		want    domain.Attendance
	}{
		{&trainingv1.AttendanceRecorded{LessonId: "l1", EditionId: "ed1", ModuleId: "m1", ModuleKind: trainingv1.ModuleKind_MODULE_KIND_THEORY,
			LessonStart: timestamppb.New(at), LessonMinutes: 240, Status: present, MinutesAttended: 240},
			domain.Attendance{CourseKind: "vocational", ClassID: "ed1", LessonID: "l1", Status: "present", Minutes: 240, LessonMinutes: 240}},
		{&trainingv1.AttendanceRecorded{LessonId: "l1", EditionId: "ed1", LessonMinutes: 240, Status: present, MinutesAttended: 180,
			Correction: true, PreviousStatus: absent},
			domain.Attendance{CourseKind: "vocational", ClassID: "ed1", LessonID: "l1", Status: "present", Minutes: 180, LessonMinutes: 240,
				Correction: true, PreviousStatus: "absent"}},
		{&coursesv1.AttendanceCorrected{LessonId: "l2", Course: &coursesv1.Course{ClassId: "c1", CourseKind: coursesv1.CourseKind_COURSE_KIND_DIGITAL},
			LessonMinutes: 120, PreviousStatus: present, PreviousMinutes: 120, Status: absent},
			domain.Attendance{CourseKind: "digital", ClassID: "c1", LessonID: "l2", Status: "absent", LessonMinutes: 120,
				Correction: true, PreviousStatus: "present", PreviousMinutes: 120}},
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
		if e == nil || e.Attendance == nil || e.Fact != nil || *e.Attendance != tc.want {
			t.Errorf("%T: got %+v, want %+v", tc.payload, e, tc.want)
		}
	}
	b, err := events.Marshal(events.Meta{ID: "e", Person: "ps-1", Producer: "training", OccurredAt: at, RecordedAt: at},
		&trainingv1.AttendanceRecorded{LessonId: "l1", EditionId: "ed1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pathway.DecodeEvent(t.Context(), kafka.Message{Value: b}); errcode.As(err) == nil || errcode.As(err).Field != "payload.status" {
		t.Fatalf("a training mark without status: %v", err)
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
		{&coursesv1.EnrolledInCourse{Course: &coursesv1.Course{ClassId: "c1", CourseKind: coursesv1.CourseKind_COURSE_KIND_ITALIAN_L2}, ClassStart: timestamppb.New(at)},
			domain.Fact{Kind: "enrolled_in_course", Ref: "c1", Detail: "italian_l2", On: at}},
		{&coursesv1.CertificateIssued{Course: &coursesv1.Course{ClassId: "c1", CourseKind: coursesv1.CourseKind_COURSE_KIND_ITALIAN_L2}, CefrLevel: coursesv1.CefrLevel_CEFR_LEVEL_A2},
			domain.Fact{Kind: "certificate_issued", Ref: "c1", Detail: "italian_l2", Level: "a2"}},
		{&coursesv1.CourseCompleted{Course: &coursesv1.Course{ClassId: "c2", CourseKind: coursesv1.CourseKind_COURSE_KIND_DIGITAL}, DigcompByArea: map[string]uint32{"safety": 3}},
			domain.Fact{Kind: "course_completed", Ref: "c2", Detail: "digital", Level: "3"}},
		{&coursesv1.CourseWithdrawn{Course: &coursesv1.Course{ClassId: "c1", CourseKind: coursesv1.CourseKind_COURSE_KIND_ITALIAN_L2}, Reason: coursesv1.WithdrawReason_WITHDRAW_REASON_WORK},
			domain.Fact{Kind: "course_withdrawn", Ref: "c1", Detail: "italian_l2", Level: "work"}},
		{&trainingv1.EnrolledInTraining{EditionId: "ed1", EqfLevel: 3, RepertoireCode: "LZ-123", PlannedHours: 600, EditionStart: timestamppb.New(at), EditionEnd: timestamppb.New(at.AddDate(0, 6, 0))},
			domain.Fact{Kind: "enrolled_in_training", Ref: "ed1", Level: "3", Detail: "LZ-123", On: at, Until: at.AddDate(0, 6, 0), Planned: 36000}},
		{&trainingv1.ModuleCompleted{EditionId: "ed1", ModuleId: "m1", ModuleKind: trainingv1.ModuleKind_MODULE_KIND_PRACTICE, MinutesPlanned: 1200, MinutesAttended: 1000, AttendanceReached: true},
			domain.Fact{Kind: "module_completed", Ref: "ed1", Level: "m1", Detail: "practice", Flag: true, Minutes: 1000, Planned: 1200}},
		{&trainingv1.InternshipHoursRecorded{EditionId: "ed1", ModuleId: "m3", HostId: "h1", Day: timestamppb.New(at), Minutes: 240, TotalMinutes: 2400, PlannedMinutes: 9000},
			domain.Fact{Kind: "internship_hours", Ref: "ed1", Level: "m3", On: at, Minutes: 240, Total: 2400, Planned: 9000}},
		{&trainingv1.ExamTaken{EditionId: "ed1", HeldOn: timestamppb.New(at), Outcome: trainingv1.ExamOutcome_EXAM_OUTCOME_PASSED, Score: 78},
			domain.Fact{Kind: "exam_taken", Ref: "ed1", Detail: "passed", Level: "78", On: at}},
		{&trainingv1.QualificationAwarded{EditionId: "ed1", EqfLevel: 3, RepertoireCode: "LZ-123"},
			domain.Fact{Kind: "qualification_awarded", Ref: "ed1", Level: "3", Detail: "LZ-123"}},
		{&trainingv1.CompetencesCertified{EditionId: "ed1", RepertoireCode: "LZ-123", Units: []string{"U1"}},
			domain.Fact{Kind: "competences_certified", Ref: "ed1", Detail: "LZ-123"}},
		{&trainingv1.TrainingWithdrawn{EditionId: "ed1", Reason: trainingv1.WithdrawReason_WITHDRAW_REASON_WORK, MinutesAttended: 600},
			domain.Fact{Kind: "training_withdrawn", Ref: "ed1", Detail: "work"}},
		{&jobsv1.MatchProposed{ProposalId: "pr1", VacancyId: "v1", Score: 80}, domain.Fact{Kind: "match_proposed", Ref: "pr1"}},
		{&jobsv1.InterviewHeld{ProposalId: "pr1", HeldOn: timestamppb.New(at), Outcome: jobsv1.InterviewOutcome_INTERVIEW_OUTCOME_ACCEPTED},
			domain.Fact{Kind: "interview_held", Ref: "pr1", Detail: "accepted", On: at}},
		{&jobsv1.FollowUpRecorded{PlacementId: "pl1", Month: 3, StillWorking: true},
			domain.Fact{Kind: "placement_follow_up", Ref: "pl1", Level: "3", Detail: "still_working", Flag: true}},
		{&housingv1.HousingStepEnded{StepId: "s1", Kind: housingv1.StepKind_STEP_KIND_SEMI_AUTONOMY_FLAT, Reason: housingv1.ExitReason_EXIT_REASON_OWN_LEASE, EndedAt: timestamppb.New(at)},
			domain.Fact{Kind: "housing_step_ended", Ref: "s1", Level: "semi_autonomy_flat", Detail: "own_lease", On: at}},
		{&housingv1.RentSupportGranted{RentSupportId: "r1", MonthlyAmountCents: 20000, Months: 6, StartsOn: timestamppb.New(at)},
			domain.Fact{Kind: "rent_support_granted", Ref: "r1", Level: "6", On: at}},
		{&housingv1.HousingOfferProposed{ProposalId: "hp1", Source: housingv1.OfferSource_OFFER_SOURCE_PUBLIC_PROGRAMME},
			domain.Fact{Kind: "housing_offer_proposed", Ref: "hp1", Detail: "public_programme"}},
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
