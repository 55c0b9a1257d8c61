package training_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/endpointtest"
	"github.com/percorsi/percorsi/pkg/grpckit/grpckittest"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
	"github.com/percorsi/percorsi/services/training"
)

// FuzzGRPCDecoders fuzzes the decoder of every RPC the gRPC server
// registers, from the request messages' bytes.
func FuzzGRPCDecoders(f *testing.F) {
	c := endpointtest.NewCapture[training.Endpoints]()
	at := func(day int) *timestamppb.Timestamp {
		return timestamppb.New(time.Date(2026, 2, day, 9, 0, 0, 0, time.UTC))
	}
	grpckittest.FuzzServer(f, c, training.NewGRPCServer(c.Endpoints),
		&trainingv1.PutCourseRequest{Course: &trainingv1.Course{
			Id: "c", Title: "t", EqfLevel: 3, MinAttendanceBp: 7000,
			Modules: []*trainingv1.Module{{Id: "m", Title: "M", Kind: trainingv1.ModuleKind_MODULE_KIND_THEORY, Hours: 4}},
			Units:   []*trainingv1.Unit{{Code: "U", Title: "u", EscoSkills: []string{"esco:x"}}},
		}},
		&trainingv1.CreateEditionRequest{
			Id: "e", CourseId: "c", Trainers: []string{"t"}, Start: at(1), End: at(28),
			Lessons: []*trainingv1.Lesson{{Id: "l", ModuleId: "m", Start: at(2), Minutes: 60}},
		},
		&trainingv1.WithdrawRequest{EditionId: "e", Person: "p1", Reason: trainingv1.WithdrawReason(1), Note: "n", UnitsCertified: []string{"U"}},
		&trainingv1.PlaceInternRequest{EditionId: "e", Person: "p1", ModuleId: "m", HostId: "h", HostName: "H", Tutor: "t", PlannedHours: 80},
		&trainingv1.RecordInternshipHoursRequest{EditionId: "e", Person: "p1", Day: "2026-03-02", Minutes: 240},
		&trainingv1.EvaluateInternshipRequest{EditionId: "e", Person: "p1", Rating: 4, Note: "ok"},
		&trainingv1.RecordExamRequest{EditionId: "e", HeldOn: "2026-03-02", Results: []*trainingv1.ExamResult{
			{Person: "p1", Outcome: trainingv1.ExamOutcome_EXAM_OUTCOME_PASSED, Score: 80, UnitsPassed: []string{"U"}}, {Person: "p2", Outcome: 9},
		}},
		&trainingv1.AddLessonRequest{EditionId: "e", Id: "l2", ModuleId: "m", Start: at(3), Minutes: 60},
		&trainingv1.MoveLessonRequest{LessonId: "l", Start: at(4), Minutes: 90},
		&trainingv1.RecordRegisterRequest{LessonId: "l", Marks: []*trainingv1.Mark{
			{Person: "p1", Status: registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT}, {Person: "p2", Status: 99},
		}},
		&trainingv1.CorrectRegisterRequest{LessonId: "l", Reason: "typo", Marks: []*trainingv1.Mark{{Person: "p1", Minutes: 30}}},
	)
}
