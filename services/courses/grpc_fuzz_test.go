package courses_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/endpointtest"
	"github.com/percorsi/percorsi/pkg/grpckit/grpckittest"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
	"github.com/percorsi/percorsi/services/courses"
)

// FuzzGRPCDecoders fuzzes the decoder of every RPC the gRPC server
// registers, from the request messages' bytes.
func FuzzGRPCDecoders(f *testing.F) {
	c := endpointtest.NewCapture[courses.Endpoints]()
	grpckittest.FuzzServer(f, c, courses.NewGRPCServer(c.Endpoints),
		&coursesv1.PutCourseRequest{Id: "c", Kind: "italian_l2", Title: "A2", TotalHours: 100, TargetLevel: "A2"},
		&coursesv1.CreateClassRequest{
			Id: "k", CourseId: "c", Title: "t", Site: "s", Teachers: []string{"t1"}, StartDate: "2026-09-15", EndDate: "2027-06-10", Capacity: 20,
			Schedule: []*coursesv1.Slot{{Weekday: "monday", Start: "09:00", Minutes: 120}},
		},
		&coursesv1.AddLessonRequest{ClassId: "k", Start: timestamppb.New(time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)), Minutes: 120},
		&coursesv1.MoveLessonRequest{LessonId: "l", Minutes: 60},
		&coursesv1.RecordRegisterRequest{LessonId: "l", Marks: []*coursesv1.Mark{
			{Person: "p1", Status: registerv1.AttendanceStatus_ATTENDANCE_STATUS_LATE, Minutes: 30}, {Person: "p2", Status: 99},
		}},
		&coursesv1.CorrectRegisterRequest{LessonId: "l", Reason: "typo", Marks: []*coursesv1.Mark{{Person: "p1"}}},
		&coursesv1.ImportRosterRequest{ClassId: "k", Rows: []*coursesv1.RosterRow{{Person: "ps-1", DisplayName: "Amina K."}, {}}},
		&coursesv1.WithdrawRequest{ClassId: "k", Person: "p1", Reason: "work", Note: "n"},
		&coursesv1.TransferRequest{ClassId: "k", Person: "p1", ToClassId: "k2"},
		&coursesv1.AssessRequest{ClassId: "k", Person: "p1", Kind: "final", CefrOverall: "A2", CefrBySkill: map[string]string{"reading": "A2"}, DigcompByArea: map[string]uint32{"1": 3}},
		&coursesv1.ListLessonsRequest{Date: "2026-11-02"},
	)
}
