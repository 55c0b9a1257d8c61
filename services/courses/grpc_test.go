package courses_test

import (
	"net"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
)

// TestGRPC drives the same endpoints over gRPC: a register recorded and
// retried, corrected, the class's figures, and refusals mapped to gRPC
// codes naming the field.
func TestGRPC(t *testing.T) {
	f := start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = f.app.GRPC.Serve(ln) }()
	t.Cleanup(f.app.GRPC.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	client := coursesv1.NewCoursesServiceClient(conn)
	as := func(user string) metadata.MD { return metadata.Pairs("authorization", "Bearer "+f.tokens[user]) }
	mark := func(p string, s registerv1.AttendanceStatus, min uint32) *coursesv1.Mark {
		return &coursesv1.Mark{Person: p, Status: s, Minutes: min}
	}
	good := []*coursesv1.Mark{
		mark("p1", registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT, 0),
		mark("p2", registerv1.AttendanceStatus_ATTENDANCE_STATUS_LATE, 45),
		mark("p3", registerv1.AttendanceStatus_ATTENDANCE_STATUS_ABSENT, 0),
	}

	refusals := []struct {
		name  string
		user  string
		req   *coursesv1.RecordRegisterRequest
		code  codes.Code
		field string
	}{
		{"no token", "", &coursesv1.RecordRegisterRequest{LessonId: "held", Marks: good}, codes.Unauthenticated, "authorization"},
		{"another teacher", "other", &coursesv1.RecordRegisterRequest{LessonId: "held", Marks: good}, codes.PermissionDenied, "lesson_id"},
		{"unknown lesson", "teacher", &coursesv1.RecordRegisterRequest{LessonId: "nope", Marks: good}, codes.NotFound, ""},
		{"not yet held", "teacher", &coursesv1.RecordRegisterRequest{LessonId: "tomorrow", Marks: good}, codes.InvalidArgument, "lesson_id"},
		{"minutes above the lesson", "teacher", &coursesv1.RecordRegisterRequest{LessonId: "held", Marks: []*coursesv1.Mark{
			good[0], mark("p2", registerv1.AttendanceStatus_ATTENDANCE_STATUS_LATE, 500), good[2]}}, codes.InvalidArgument, "marks[1].minutes"},
		{"no status", "teacher", &coursesv1.RecordRegisterRequest{LessonId: "held", Marks: []*coursesv1.Mark{
			good[0], good[1], {Person: "p3"}}}, codes.InvalidArgument, "marks[2].status"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			c := t.Context()
			if tc.user != "" {
				c = metadata.NewOutgoingContext(c, as(tc.user))
			}
			_, err := client.RecordRegister(c, tc.req)
			st := status.Convert(err)
			if st.Code() != tc.code || fieldOf(st) != tc.field {
				t.Fatalf("got %v %q naming %q, want %v naming %q", st.Code(), st.Message(), fieldOf(st), tc.code, tc.field)
			}
		})
	}
	if n := f.registers(t); n != 0 {
		t.Fatalf("%d registers stored after refusals", n)
	}

	teacher := metadata.NewOutgoingContext(t.Context(), as("teacher"))
	resp, err := client.RecordRegister(teacher, &coursesv1.RecordRegisterRequest{LessonId: "held", Marks: good})
	if err != nil || !resp.Created || len(resp.Register.Marks) != 3 || resp.Register.Marks[0].Minutes != 120 {
		t.Fatalf("record: %v %v", resp, err)
	}
	if resp, err := client.RecordRegister(teacher, &coursesv1.RecordRegisterRequest{LessonId: "held", Marks: good}); err != nil || resp.Created {
		t.Fatalf("retry: %v %v", resp, err)
	}
	corr, err := client.CorrectRegister(teacher, &coursesv1.CorrectRegisterRequest{LessonId: "held", Reason: "came at 10", Marks: []*coursesv1.Mark{
		mark("p3", registerv1.AttendanceStatus_ATTENDANCE_STATUS_LATE, 60)}})
	if err != nil || corr.Register.Revision != 2 {
		t.Fatalf("correct: %v %v", corr, err)
	}
	att, err := client.GetClassAttendance(teacher, &coursesv1.GetClassAttendanceRequest{ClassId: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	byPerson := map[string]*coursesv1.PersonAttendance{}
	for _, p := range att.People {
		byPerson[p.Person] = p
	}
	if p3 := byPerson["p3"]; p3.GetMinutesAttended() != 60 || p3.GetRateBp() != 5000 || p3.GetDisplayName() != "Grace N." {
		t.Fatalf("p3 attendance %v", p3)
	}
	lesson, err := client.GetLesson(teacher, &coursesv1.GetLessonRequest{LessonId: "held"})
	if err != nil || lesson.Register == nil || len(lesson.Roster) != 3 || !lesson.Lesson.Start.AsTime().Before(time.Now()) {
		t.Fatalf("lesson: %v %v", lesson, err)
	}
}

func fieldOf(st *status.Status) string {
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok && len(br.FieldViolations) > 0 {
			return br.FieldViolations[0].Field
		}
	}
	return ""
}
