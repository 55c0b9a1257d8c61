package courses_test

import (
	"context"
	"net"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
	"github.com/percorsi/percorsi/services/courses"
)

// TestGRPC drives the same endpoints over gRPC: a register recorded and
// retried, corrected, the class's figures, and refusals mapped to gRPC
// codes naming the field.
func TestGRPC(t *testing.T) {
	f := start(t)
	client := dialGRPC(t, f.app)
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

// dialGRPC serves app's gRPC server on a free port and returns a client of
// it over a real connection.
func dialGRPC(t *testing.T, app *courses.App) coursesv1.CoursesServiceClient {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.GRPC.Serve(ln) }()
	t.Cleanup(app.GRPC.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return coursesv1.NewCoursesServiceClient(conn)
}

// TestGRPCLifecycle follows a class over gRPC alone, on the same endpoints
// as TestLifecycle: catalogue, class and its lessons, enrolment and roster
// rows, today's lessons, registers and a correction, extra, moved and
// cancelled lessons, figures, suspension, withdrawal, transfer keeping the
// hours, assessment and certificate; then refusals mapped to gRPC codes
// naming the field, with nothing stored.
func TestGRPCLifecycle(t *testing.T) {
	l := startLife(t)
	client := dialGRPC(t, l.app)
	as := func(user string) context.Context {
		return metadata.NewOutgoingContext(t.Context(), metadata.Pairs("authorization", "Bearer "+l.tokens[user]))
	}
	coord, teacher := as("coordinator"), as("teacher")
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	at := func(s string) *timestamppb.Timestamp {
		tm, err := time.Parse(time.RFC3339, s)
		must("time "+s, err)
		return timestamppb.New(tm)
	}
	byPerson := func(people []*coursesv1.PersonAttendance) map[string]*coursesv1.PersonAttendance {
		out := map[string]*coursesv1.PersonAttendance{}
		for _, p := range people {
			out[p.Person] = p
		}
		return out
	}
	attendance := func(class string) map[string]*coursesv1.PersonAttendance {
		t.Helper()
		resp, err := client.GetClassAttendance(coord, &coursesv1.GetClassAttendanceRequest{ClassId: class})
		must("attendance of "+class, err)
		return byPerson(resp.People)
	}
	present := registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT
	absent := registerv1.AttendanceStatus_ATTENDANCE_STATUS_ABSENT

	_, err := client.PutCourse(coord, &coursesv1.PutCourseRequest{Id: "it-a2", Kind: "italian_l2", Title: "Italiano A2", TotalHours: 4, TargetLevel: "a2"})
	must("put course", err)
	newClass := func(id, teacher string) *coursesv1.CreateClassRequest {
		return &coursesv1.CreateClassRequest{
			Id: id, CourseId: "it-a2", Title: "Italiano A2 mattina", Site: "Via Galvani", Teachers: []string{teacher}, Capacity: 3,
			StartDate: "2026-11-02", EndDate: "2026-11-30", Schedule: []*coursesv1.Slot{
				{Weekday: "monday", Start: "09:00", Minutes: 60}, {Weekday: "wednesday", Start: "09:00", Minutes: 60}, {Weekday: "friday", Start: "09:00", Minutes: 60},
			},
		}
	}
	created, err := client.CreateClass(coord, newClass("c1", "teacher"))
	if err != nil || !created.Created || created.Lessons != 13 {
		t.Fatalf("create class: %v %v", created, err)
	}
	if again, err := client.CreateClass(coord, newClass("c1", "teacher")); err != nil || again.Created {
		t.Fatalf("create class again: %v %v", again, err)
	}
	_, err = client.CreateClass(coord, newClass("c2", "other"))
	must("create c2", err)

	for _, p := range []string{"p1", "p2"} {
		if e, err := client.Enrol(coord, &coursesv1.EnrolRequest{ClassId: "c1", Person: p, DisplayName: "Name of " + p}); err != nil || e.Status != "enrolled" {
			t.Fatalf("enrol %s: %v %v", p, e, err)
		}
	}
	report, err := client.ImportRoster(coord, &coursesv1.ImportRosterRequest{ClassId: "c1", Rows: []*coursesv1.RosterRow{
		{Person: "p3", DisplayName: "Grace N."}, {Person: "p4", DisplayName: "Sara T."}, {DisplayName: "Nobody"},
	}})
	if err != nil || report.Enrolled != 1 || report.Waiting != 1 || report.Rejected != 1 ||
		report.Rows[2].GetRow() != 2 || report.Rows[2].GetField() != "person" || report.Rows[1].GetOutcome() != "waiting" {
		t.Fatalf("import roster: %v %v", report, err)
	}
	if att, err := client.GetClassAttendance(coord, &coursesv1.GetClassAttendanceRequest{ClassId: "c1"}); err != nil ||
		len(att.Waiting) != 1 || att.Waiting[0].Person != "p4" || att.AdmissionBp != 7000 || att.CourseKind != "italian_l2" {
		t.Fatalf("attendance with a waiting list: %v %v", att, err)
	}

	today, err := client.ListLessons(teacher, &coursesv1.ListLessonsRequest{})
	if err != nil || today.Date != "2026-11-20" || len(today.Lessons) != 1 || today.Lessons[0].Lesson.GetId() != "c1-20261120-0900" || today.Lessons[0].Expected != 3 {
		t.Fatalf("today's lessons: %v %v", today, err)
	}

	// Four lessons held; p1 is present at all, p2 absent at all, p3 at one.
	for i, lesson := range []string{"c1-20261102-0900", "c1-20261116-0900", "c1-20261118-0900", "c1-20261120-0900"} {
		p3 := absent
		if i == 0 {
			p3 = present
		}
		rec, err := client.RecordRegister(teacher, &coursesv1.RecordRegisterRequest{LessonId: lesson, Marks: []*coursesv1.Mark{
			{Person: "p1", Status: present}, {Person: "p2", Status: absent}, {Person: "p3", Status: p3},
		}})
		if err != nil || !rec.Created || rec.Register.Revision != 1 {
			t.Fatalf("record %s: %v %v", lesson, rec, err)
		}
	}
	corr, err := client.CorrectRegister(teacher, &coursesv1.CorrectRegisterRequest{LessonId: "c1-20261118-0900", Reason: "medical certificate",
		Marks: []*coursesv1.Mark{{Person: "p2", Status: registerv1.AttendanceStatus_ATTENDANCE_STATUS_EXCUSED}}})
	if err != nil || corr.Register.Revision != 2 {
		t.Fatalf("correct: %v %v", corr, err)
	}
	lesson, err := client.GetLesson(teacher, &coursesv1.GetLessonRequest{LessonId: "c1-20261118-0900"})
	if err != nil || lesson.Register.GetRevision() != 2 || len(lesson.Roster) != 3 || lesson.Locked || byPerson(lesson.People)["p1"].GetRateBp() != 10000 {
		t.Fatalf("lesson: %v %v", lesson, err)
	}

	added, err := client.AddLesson(teacher, &coursesv1.AddLessonRequest{ClassId: "c1", Start: at("2026-11-21T09:00:00+01:00"), Minutes: 60})
	if err != nil || added.Lesson.GetId() != "c1-20261121-0900" || !added.Lesson.GetExtra() || !added.Lesson.Start.AsTime().Equal(at("2026-11-21T09:00:00+01:00").AsTime()) {
		t.Fatalf("add lesson: %v %v", added, err)
	}
	moved, err := client.MoveLesson(teacher, &coursesv1.MoveLessonRequest{LessonId: "c1-20261125-0900", Start: at("2026-11-24T10:00:00+01:00"), Minutes: 90})
	if err != nil || moved.Lesson.GetMinutes() != 90 {
		t.Fatalf("move lesson: %v %v", moved, err)
	}
	cancelled, err := client.CancelLesson(teacher, &coursesv1.CancelLessonRequest{LessonId: "c1-20261123-0900"})
	if err != nil || cancelled.Lesson.GetStatus() != "cancelled" {
		t.Fatalf("cancel lesson: %v %v", cancelled, err)
	}

	got := attendance("c1")
	if p1, p2 := got["p1"], got["p2"]; p1.GetMinutesAttended() != 240 || !p1.GetAdmittedToFinal() || p2.GetMinutesAttended() != 0 || p2.GetConsecutiveAbsences() != 3 {
		t.Fatalf("figures: p1 %v, p2 %v", p1, p2)
	}

	// Suspension and back; p3 withdraws and p4 takes the place.
	_, err = client.Suspend(coord, &coursesv1.SuspendRequest{ClassId: "c1", Person: "p2"})
	must("suspend", err)
	if s := attendance("c1")["p2"].GetStatus(); s != "suspended" {
		t.Fatalf("p2 %s after suspension", s)
	}
	_, err = client.Resume(coord, &coursesv1.ResumeRequest{ClassId: "c1", Person: "p2"})
	must("resume", err)
	_, err = client.Withdraw(coord, &coursesv1.WithdrawRequest{ClassId: "c1", Person: "p3", Reason: "work", Note: "found a job"})
	must("withdraw", err)
	got = attendance("c1")
	if got["p2"].GetStatus() != "enrolled" || got["p3"].GetStatus() != "withdrawn" || got["p3"].GetReason() != "work" || got["p4"].GetStatus() != "enrolled" {
		t.Fatalf("after suspension, resumption and withdrawal: %v", got)
	}

	// p1 moves to c2 with her hours; there she is assessed and certified.
	_, err = client.Transfer(coord, &coursesv1.TransferRequest{ClassId: "c1", Person: "p1", ToClassId: "c2"})
	must("transfer", err)
	if p1 := attendance("c2")["p1"]; p1.GetStatus() != "enrolled" || p1.GetMinutesAttended() != 240 || p1.GetTransferredFrom() != "c1" {
		t.Fatalf("p1 in c2: %v", p1)
	}
	assessed, err := client.Assess(as("other"), &coursesv1.AssessRequest{ClassId: "c2", Person: "p1", Kind: "final", CefrOverall: "a2",
		CefrBySkill: map[string]string{"listening": "b1", "writing": "a2"}})
	if err != nil || assessed.Id == "" {
		t.Fatalf("assess: %v %v", assessed, err)
	}
	cert, err := client.IssueCertificate(coord, &coursesv1.IssueCertificateRequest{ClassId: "c2", Person: "p1"})
	if err != nil || !cert.Created || cert.CefrLevel != "a2" || cert.Person != "p1" || cert.IssuedAt == nil {
		t.Fatalf("certificate: %v %v", cert, err)
	}
	if again, err := client.IssueCertificate(coord, &coursesv1.IssueCertificateRequest{ClassId: "c2", Person: "p1"}); err != nil || again.Created || again.Id != cert.Id {
		t.Fatalf("certificate again: %v %v", again, err)
	}

	refusals := []struct {
		name  string
		call  func() error
		code  codes.Code
		field string
	}{
		{"course by a teacher", func() error {
			_, err := client.PutCourse(teacher, &coursesv1.PutCourseRequest{Id: "x", Kind: "digital", Title: "PC", TotalHours: 40, TargetDigcomp: 3})
			return err
		}, codes.PermissionDenied, ""},
		{"class with a bad weekday", func() error {
			c := newClass("c9", "teacher")
			c.Schedule[0].Weekday = "lunedi"
			_, err := client.CreateClass(coord, c)
			return err
		}, codes.InvalidArgument, "schedule[0].weekday"},
		{"enrolment twice", func() error {
			_, err := client.Enrol(coord, &coursesv1.EnrolRequest{ClassId: "c1", Person: "p2", DisplayName: "Joy O."})
			return err
		}, codes.FailedPrecondition, "person"},
		{"enrolment in no class", func() error {
			_, err := client.Enrol(coord, &coursesv1.EnrolRequest{ClassId: "nope", Person: "p9", DisplayName: "X"})
			return err
		}, codes.NotFound, ""},
		{"roster of nobody", func() error {
			_, err := client.ImportRoster(coord, &coursesv1.ImportRosterRequest{ClassId: "c1"})
			return err
		}, codes.InvalidArgument, "rows"},
		{"lesson without a start", func() error {
			_, err := client.AddLesson(teacher, &coursesv1.AddLessonRequest{ClassId: "c1", Minutes: 60})
			return err
		}, codes.InvalidArgument, "start"},
		{"withdrawal without a reason", func() error {
			_, err := client.Withdraw(coord, &coursesv1.WithdrawRequest{ClassId: "c1", Person: "p2"})
			return err
		}, codes.InvalidArgument, "reason"},
		{"certificate below the attendance", func() error {
			_, err := client.IssueCertificate(coord, &coursesv1.IssueCertificateRequest{ClassId: "c1", Person: "p2"})
			return err
		}, codes.InvalidArgument, ""},
		{"attendance to a case worker", func() error {
			_, err := client.GetClassAttendance(as("caseworker"), &coursesv1.GetClassAttendanceRequest{ClassId: "c1"})
			return err
		}, codes.PermissionDenied, ""},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			st := status.Convert(tc.call())
			if st.Code() != tc.code || (tc.field != "" && fieldOf(st) != tc.field) || st.Message() == "" {
				t.Fatalf("got %v %q naming %q, want %v naming %q", st.Code(), st.Message(), fieldOf(st), tc.code, tc.field)
			}
		})
	}
	if got := attendance("c1"); got["p2"].GetStatus() != "enrolled" || len(got) != 4 {
		t.Fatalf("c1 changed by refusals: %v", got)
	}
	if n, err := l.app.DB.Collection("classes").CountDocuments(t.Context(), bson.D{}); err != nil || n != 2 {
		t.Fatalf("%d classes stored, want c1 and c2 (%v)", n, err)
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
