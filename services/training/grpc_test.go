package training_test

import (
	"context"
	"net"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	grpcstatus "google.golang.org/grpc/status"

	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
)

// grpcClient serves the app's gRPC server on a random port and returns a
// client of it.
func (f *fixture) grpcClient(t *testing.T) trainingv1.TrainingServiceClient {
	t.Helper()
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
	return trainingv1.NewTrainingServiceClient(conn)
}

func (f *fixture) as(t *testing.T, user string) context.Context {
	if user == "" {
		return t.Context()
	}
	return metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+f.tokens[user])
}

func present(people ...string) []*trainingv1.Mark {
	var out []*trainingv1.Mark
	for _, p := range people {
		out = append(out, &trainingv1.Mark{Person: p, Status: registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT})
	}
	return out
}

func TestGRPCServesTheSameUseCases(t *testing.T) {
	f := start(t)
	f.setUp(t)
	f.must(t, 200, "trainer", "PUT", "/v1/editions/ed1/enrolments/p1/internship", `{"module_id":"stage","host_id":"h1","host_name":"Trattoria","tutor":"T.","planned_hours":8}`)
	c := f.grpcClient(t)

	enrolled, err := c.Enrol(f.as(t, "trainer"), &trainingv1.EnrolRequest{EditionId: "ed1", Person: "p4", DisplayName: "Sara T."})
	if err != nil || len(enrolled.Edition.Roster) != 4 || enrolled.Edition.Roster[3].Status != "enrolled" {
		t.Fatalf("enrol: %v %v", enrolled, err)
	}
	reg, err := c.RecordRegister(f.as(t, "trainer"), &trainingv1.RecordRegisterRequest{LessonId: "l1", Marks: present("p1", "p2", "p3", "p4")})
	if err != nil || !reg.Created || reg.Marks[0].Minutes != 240 {
		t.Fatalf("register: %v %v", reg, err)
	}
	retry, err := c.RecordRegister(f.as(t, "trainer"), &trainingv1.RecordRegisterRequest{LessonId: "l1", Marks: present("p1", "p2", "p3", "p4")})
	if err != nil || retry.Created {
		t.Fatalf("retried register: %v %v", retry, err)
	}
	hours, err := c.RecordInternshipHours(f.as(t, "trainer"), &trainingv1.RecordInternshipHoursRequest{EditionId: "ed1", Person: "p1", Day: f.day(-2), Minutes: 300})
	if err != nil || hours.Edition.Roster[0].InternshipMinutes != 300 {
		t.Fatalf("hours: %v %v", hours, err)
	}
	out, err := c.Withdraw(f.as(t, "coordinator"), &trainingv1.WithdrawRequest{EditionId: "ed1", Person: "p4", Reason: trainingv1.WithdrawReason_WITHDRAW_REASON_MOVED, UnitsCertified: []string{"UC1"}})
	if err != nil || out.Edition.Roster[3].Status != "withdrawn" || len(out.Edition.Roster[3].CertifiedUnits) != 1 {
		t.Fatalf("withdraw: %v %v", out, err)
	}
	before := f.snapshot(t)

	cases := []struct {
		name  string
		call  func() error
		code  codes.Code
		field string
	}{
		{"no token", func() error {
			_, err := c.Enrol(f.as(t, ""), &trainingv1.EnrolRequest{EditionId: "ed1", Person: "p9", DisplayName: "X"})
			return err
		}, codes.Unauthenticated, "authorization"},
		{"another trainer", func() error {
			_, err := c.Enrol(f.as(t, "other"), &trainingv1.EnrolRequest{EditionId: "ed1", Person: "p9", DisplayName: "X"})
			return err
		}, codes.PermissionDenied, "edition_id"},
		{"enrolled twice", func() error {
			_, err := c.Enrol(f.as(t, "trainer"), &trainingv1.EnrolRequest{EditionId: "ed1", Person: "p1", DisplayName: "X"})
			return err
		}, codes.FailedPrecondition, "person"},
		{"unspecified status", func() error {
			marks := present("p1", "p2", "p3")
			marks[2].Status = registerv1.AttendanceStatus_ATTENDANCE_STATUS_UNSPECIFIED
			_, err := c.RecordRegister(f.as(t, "trainer"), &trainingv1.RecordRegisterRequest{LessonId: "l2", Marks: marks})
			return err
		}, codes.InvalidArgument, "marks[2].status"},
		{"unknown status", func() error {
			marks := present("p1", "p2", "p3")
			marks[0].Status = 42
			_, err := c.RecordRegister(f.as(t, "trainer"), &trainingv1.RecordRegisterRequest{LessonId: "l2", Marks: marks})
			return err
		}, codes.InvalidArgument, "marks[0].status"},
		{"bad day", func() error {
			_, err := c.RecordInternshipHours(f.as(t, "trainer"), &trainingv1.RecordInternshipHoursRequest{EditionId: "ed1", Person: "p1", Day: "ieri", Minutes: 60})
			return err
		}, codes.InvalidArgument, "day"},
		{"exam of someone not admitted", func() error {
			_, err := c.RecordExam(f.as(t, "trainer"), &trainingv1.RecordExamRequest{EditionId: "ed1", HeldOn: f.day(0), Results: []*trainingv1.ExamResult{{Person: "p1", Outcome: trainingv1.ExamOutcome_EXAM_OUTCOME_PASSED, Score: 70}}})
			return err
		}, codes.InvalidArgument, "results[0].person"},
		{"unknown exam outcome", func() error {
			_, err := c.RecordExam(f.as(t, "trainer"), &trainingv1.RecordExamRequest{EditionId: "ed1", HeldOn: f.day(0), Results: []*trainingv1.ExamResult{{Person: "p1", Outcome: 9, Score: 70}}})
			return err
		}, codes.InvalidArgument, "results[0].outcome"},
		{"withdraw without reason", func() error {
			_, err := c.Withdraw(f.as(t, "trainer"), &trainingv1.WithdrawRequest{EditionId: "ed1", Person: "p1"})
			return err
		}, codes.InvalidArgument, "reason"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := grpcstatus.Convert(tc.call())
			field := ""
			for _, d := range st.Details() {
				if br, ok := d.(*errdetails.BadRequest); ok && len(br.FieldViolations) > 0 {
					field = br.FieldViolations[0].Field
				}
			}
			if st.Code() != tc.code || field != tc.field || st.Message() == "" {
				t.Fatalf("got %v %q (%q), want %v naming %q", st.Code(), field, st.Message(), tc.code, tc.field)
			}
		})
	}
	if after := f.snapshot(t); after != before {
		t.Fatalf("refused calls changed the store:\nbefore %s\nafter  %s", before, after)
	}
}
