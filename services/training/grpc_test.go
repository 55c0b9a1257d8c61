package training_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	grpcstatus "google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/events"

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

// grpcField is the field a refused call's BadRequest detail names.
func grpcField(st *grpcstatus.Status) string {
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok && len(br.FieldViolations) > 0 {
			return br.FieldViolations[0].Field
		}
	}
	return ""
}

// A whole edition over gRPC alone: course, edition, enrolments, registers
// and a correction, lessons moved, cancelled and added, a suspension,
// internship hours and evaluation, modules closed, the exam with a
// qualification, a withdrawal with a partial certification; then every
// fact on Kafka, and refused calls mapped to gRPC codes naming the field
// with nothing stored.
func TestGRPCLifecycle(t *testing.T) {
	f := start(t)
	c := f.grpcClient(t)
	coord, trainer := f.as(t, "coordinator"), f.as(t, "trainer")
	ts := func(days, hour int) *timestamppb.Timestamp {
		d := f.now.AddDate(0, 0, days)
		return timestamppb.New(time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, time.UTC))
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	course := &trainingv1.Course{
		Id: "aiuto-cuoco", Title: "Aiuto cuoco", RepertoireCode: "LAZ-AC-0312", Region: "Lazio", Sector: "ristorazione", Provider: "enaip", EqfLevel: 3,
		Modules: []*trainingv1.Module{
			{Id: "haccp", Title: "Igiene e HACCP", Kind: trainingv1.ModuleKind_MODULE_KIND_THEORY, Hours: 4},
			{Id: "cucina", Title: "Laboratorio", Kind: trainingv1.ModuleKind_MODULE_KIND_PRACTICE, Hours: 4},
			{Id: "stage", Title: "Tirocinio", Kind: trainingv1.ModuleKind_MODULE_KIND_INTERNSHIP, Hours: 8},
		},
		Units: []*trainingv1.Unit{
			{Code: "UC1", Title: "Igiene alimentare", EscoSkills: []string{"http://data.europa.eu/esco/skill/food-safety"}},
			{Code: "UC2", Title: "Preparazione di base", EscoSkills: []string{"http://data.europa.eu/esco/skill/prepare-vegetables"}},
		},
	}
	put, err := c.PutCourse(coord, &trainingv1.PutCourseRequest{Course: course})
	must("put course", err)
	if put.Course.MinAttendanceBp != 7000 || len(put.Course.Modules) != 3 || put.Course.Modules[2].Kind != trainingv1.ModuleKind_MODULE_KIND_INTERNSHIP {
		t.Fatalf("stored course %v", put.Course)
	}
	got, err := c.GetCourse(trainer, &trainingv1.GetCourseRequest{CourseId: "aiuto-cuoco"})
	must("get course", err)
	if got.Course.Title != "Aiuto cuoco" || len(got.Course.Units[1].EscoSkills) != 1 {
		t.Fatalf("course %v", got.Course)
	}
	ed, err := c.CreateEdition(coord, &trainingv1.CreateEditionRequest{
		Id: "g1", CourseId: "aiuto-cuoco", Trainers: []string{"tr1"}, Start: ts(-30, 0), End: ts(60, 0),
		Lessons: []*trainingv1.Lesson{
			{Id: "g-l1", ModuleId: "haccp", Start: ts(-20, 9), Minutes: 240},
			{Id: "g-l2", ModuleId: "cucina", Start: ts(-10, 9), Minutes: 240},
			{Id: "g-l3", ModuleId: "cucina", Start: ts(1, 9), Minutes: 240},
		},
	})
	must("create edition", err)
	if ed.Edition.Id != "g1" || ed.Edition.Organisation != "enaip" || !ed.Edition.Start.AsTime().Equal(ts(-30, 0).AsTime()) {
		t.Fatalf("edition %v", ed.Edition)
	}
	list, err := c.ListEditions(trainer, &trainingv1.ListEditionsRequest{})
	must("list editions", err)
	if len(list.Editions) != 1 || list.Editions[0].Id != "g1" {
		t.Fatalf("editions %v", list.Editions)
	}
	for _, p := range [][2]string{{"p1", "Amina K."}, {"p2", "Joy O."}} {
		_, err := c.Enrol(trainer, &trainingv1.EnrolRequest{EditionId: "g1", Person: p[0], DisplayName: p[1]})
		must("enrol "+p[0], err)
	}

	// Registers, a correction, and the schedule changed: tomorrow's lesson
	// was held two days ago, the one ten days ago did not take place and an
	// extra one made up for it.
	lesson, err := c.GetLesson(trainer, &trainingv1.GetLessonRequest{LessonId: "g-l1"})
	must("get lesson", err)
	if len(lesson.Roster) != 2 || lesson.Roster[0].DisplayName != "Amina K." || lesson.Register != nil {
		t.Fatalf("lesson to mark %v", lesson)
	}
	marks := func(statuses ...registerv1.AttendanceStatus) []*trainingv1.Mark {
		return []*trainingv1.Mark{{Person: "p1", Status: statuses[0]}, {Person: "p2", Status: statuses[1]}}
	}
	const present, absent = registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT, registerv1.AttendanceStatus_ATTENDANCE_STATUS_ABSENT
	_, err = c.RecordRegister(trainer, &trainingv1.RecordRegisterRequest{LessonId: "g-l1", Marks: marks(present, absent)})
	must("register", err)
	corrected, err := c.CorrectRegister(trainer, &trainingv1.CorrectRegisterRequest{LessonId: "g-l1", Reason: "arrivata tardi", Marks: []*trainingv1.Mark{
		{Person: "p2", Status: registerv1.AttendanceStatus_ATTENDANCE_STATUS_LATE, Minutes: 120},
	}})
	must("correct register", err)
	if r := corrected.Register; r.Revision != 2 || len(r.Corrections) != 1 || r.Corrections[0].From.Status != absent || r.Marks[1].Minutes != 120 {
		t.Fatalf("corrected register %v", r)
	}
	moved, err := c.MoveLesson(trainer, &trainingv1.MoveLessonRequest{LessonId: "g-l3", Start: ts(-2, 9), Minutes: 240})
	must("move lesson", err)
	if moved.Lesson.Id != "g-l3" || !moved.Lesson.Start.AsTime().Equal(ts(-2, 9).AsTime()) {
		t.Fatalf("moved lesson %v", moved.Lesson)
	}
	_, err = c.RecordRegister(trainer, &trainingv1.RecordRegisterRequest{LessonId: "g-l3", Marks: marks(present, present)})
	must("register of the moved lesson", err)
	cancelled, err := c.CancelLesson(trainer, &trainingv1.CancelLessonRequest{LessonId: "g-l2"})
	must("cancel lesson", err)
	if !cancelled.Lesson.Cancelled {
		t.Fatalf("cancelled lesson %v", cancelled.Lesson)
	}
	extra := &trainingv1.AddLessonRequest{EditionId: "g1", Id: "g-x1", ModuleId: "cucina", Start: ts(-3, 14), Minutes: 120}
	added, err := c.AddLesson(trainer, extra)
	must("add lesson", err)
	again, err := c.AddLesson(trainer, extra)
	must("add lesson again", err)
	if !added.Created || !added.Lesson.Extra || again.Created {
		t.Fatalf("extra lesson %v, then %v", added, again)
	}
	_, err = c.RecordRegister(trainer, &trainingv1.RecordRegisterRequest{LessonId: "g-x1", Marks: marks(present, absent)})
	must("register of the extra lesson", err)

	_, err = c.Suspend(trainer, &trainingv1.SuspendRequest{EditionId: "g1", Person: "p2", Note: "udienza in tribunale"})
	must("suspend", err)
	resumed, err := c.Resume(trainer, &trainingv1.ResumeRequest{EditionId: "g1", Person: "p2"})
	must("resume", err)
	if s := resumed.Edition.Roster[1].Status; s != "enrolled" {
		t.Fatalf("p2 is %s after resuming", s)
	}

	// An internship of 8 hours at a host restaurant, and its evaluation.
	_, err = c.PlaceIntern(trainer, &trainingv1.PlaceInternRequest{EditionId: "g1", Person: "p1", ModuleId: "stage", HostId: "trattoria", HostName: "Trattoria da Enzo", Tutor: "Enzo Rossi", PlannedHours: 8})
	must("place intern", err)
	for _, d := range []int{-5, -4} {
		_, err := c.RecordInternshipHours(trainer, &trainingv1.RecordInternshipHoursRequest{EditionId: "g1", Person: "p1", Day: f.day(d), Minutes: 240})
		must("internship hours", err)
	}
	evaluated, err := c.EvaluateInternship(trainer, &trainingv1.EvaluateInternshipRequest{EditionId: "g1", Person: "p1", Rating: 4, Note: "puntuale"})
	must("evaluate", err)
	if in := evaluated.Edition.Roster[0].Internship; in.MinutesDone != 480 || len(in.Days) != 2 || in.Evaluation.GetRating() != 4 || in.Evaluation.By != "tr1" {
		t.Fatalf("internship %v", in)
	}
	for _, m := range []string{"haccp", "cucina", "stage"} {
		_, err := c.CloseModule(trainer, &trainingv1.CloseModuleRequest{EditionId: "g1", ModuleId: m})
		must("close "+m, err)
	}

	// p1: 240 + 240 + 120 of lessons and 480 of internship; p2: 120 + 240.
	// The cancelled lesson counts for no one.
	view, err := c.GetEdition(trainer, &trainingv1.GetEditionRequest{EditionId: "g1"})
	must("get edition", err)
	var roster []string
	for _, en := range view.Edition.Roster {
		roster = append(roster, fmt.Sprintf("%s %d %v %d modules", en.Person, en.GetMinutesAttended(), en.GetAdmitted(), len(en.Modules)))
	}
	if want := []string{"p1 1080 true 3 modules", "p2 360 false 3 modules"}; !slices.Equal(roster, want) {
		t.Fatalf("roster\n got %q\nwant %q", roster, want)
	}
	if len(view.Lessons) != 4 || view.Course.Id != "aiuto-cuoco" {
		t.Fatalf("edition view: %d lessons, course %q", len(view.Lessons), view.Course.Id)
	}

	exam, err := c.RecordExam(trainer, &trainingv1.RecordExamRequest{EditionId: "g1", HeldOn: f.day(0), Results: []*trainingv1.ExamResult{
		{Person: "p1", Outcome: trainingv1.ExamOutcome_EXAM_OUTCOME_PASSED, Score: 85},
	}})
	must("exam", err)
	if p1 := exam.Edition.Roster[0]; !p1.Qualified || p1.Status != "completed" || p1.Exam.GetScore() != 85 || p1.Exam.HeldOn != f.day(0) {
		t.Fatalf("after the exam %v", p1)
	}
	out, err := c.Withdraw(trainer, &trainingv1.WithdrawRequest{EditionId: "g1", Person: "p2", Reason: trainingv1.WithdrawReason_WITHDRAW_REASON_WORK, Note: "assunta", UnitsCertified: []string{"UC1"}})
	must("withdraw", err)
	if p2 := out.Edition.Roster[1]; p2.Status != "withdrawn" || p2.Reason != trainingv1.WithdrawReason_WITHDRAW_REASON_WORK || !slices.Equal(p2.CertifiedUnits, []string{"UC1"}) {
		t.Fatalf("after withdrawing %v", p2)
	}

	n, err := f.app.Relay.Drain(t.Context())
	must("drain", err)
	count := map[string]int{}
	for _, m := range readTopic(t, f.brokers, n) {
		for _, secret := range []string{"Amina", "Joy", "Enzo", "tribunale", "assunta", "tardi"} {
			if bytes.Contains(m.Value, []byte(secret)) {
				t.Fatalf("event carries personal data %q", secret)
			}
		}
		ev, err := events.Unmarshal(m.Value)
		must("event", err)
		count[strings.TrimPrefix(ev.Type, "percorsi.training.v1.")]++
		// What the pathway and jobs read: the course and edition, the
		// module, the minutes so far, the skills certified.
		ok := true
		switch p := ev.Payload.(type) {
		case *trainingv1.EnrolledInTraining:
			ok = p.EditionId == "g1" && p.CourseId == "aiuto-cuoco" && p.Title == "Aiuto cuoco" && p.PlannedHours == 16 && p.MinAttendanceBp == 7000 && p.EqfLevel == 3
		case *trainingv1.AttendanceRecorded:
			ok = p.EditionId == "g1" && p.CourseId == "aiuto-cuoco" && p.ModuleId != "" && p.LessonId != "" && p.LessonMinutes > 0
		case *trainingv1.InternshipHoursRecorded:
			ok = p.EditionId == "g1" && p.ModuleId == "stage" && p.TotalMinutes >= p.Minutes && p.PlannedMinutes == 480
		case *trainingv1.ModuleCompleted:
			ok = p.EditionId == "g1" && p.ModuleId != "" && p.CourseMinutesPlanned == 960 &&
				(ev.Person == "p1" && p.CourseMinutesAttended == 1080 || ev.Person == "p2" && p.CourseMinutesAttended == 360)
		case *trainingv1.ExamTaken:
			ok = p.EditionId == "g1" && p.MinutesAttended == 1080 && len(p.UnitsPassed) == 2
		case *trainingv1.QualificationAwarded:
			ok = ev.Person == "p1" && p.EditionId == "g1" && p.RepertoireCode == "LAZ-AC-0312" && p.EqfLevel == 3 && len(p.EscoSkills) == 2
		case *trainingv1.CompetencesCertified:
			ok = ev.Person == "p2" && p.EditionId == "g1" && p.Title == "Aiuto cuoco" && p.EqfLevel == 3 &&
				slices.Equal(p.EscoSkills, []string{"http://data.europa.eu/esco/skill/food-safety"})
		case *trainingv1.TrainingWithdrawn:
			ok = ev.Person == "p2" && p.EditionId == "g1" && p.MinutesAttended == 360 && p.Reason == trainingv1.WithdrawReason_WITHDRAW_REASON_WORK
		}
		if !ok {
			t.Errorf("%s for %s lacks what the pathway needs: %v", ev.Type, ev.Person, ev.Payload)
		}
	}
	wantCount := map[string]int{
		"EnrolledInTraining": 2, "AttendanceRecorded": 7, "InternshipHoursRecorded": 2, "ModuleCompleted": 6,
		"ExamTaken": 1, "QualificationAwarded": 1, "CompetencesCertified": 1, "TrainingWithdrawn": 1,
	}
	if fmt.Sprint(count) != fmt.Sprint(wantCount) {
		t.Fatalf("events\n got %v\nwant %v", count, wantCount)
	}

	_, err = c.Enrol(trainer, &trainingv1.EnrolRequest{EditionId: "g1", Person: "p3", DisplayName: "Grace N."})
	must("enrol p3", err)
	before := f.snapshot(t)
	badCourse := proto.Clone(course).(*trainingv1.Course)
	badCourse.EqfLevel = 9
	unknownKind := proto.Clone(course).(*trainingv1.Course)
	unknownKind.Modules[1].Kind = 42
	cases := []struct {
		name  string
		call  func() error
		code  codes.Code
		field string
	}{
		{"course: none", func() error { _, err := c.PutCourse(coord, &trainingv1.PutCourseRequest{}); return err }, codes.InvalidArgument, "course"},
		{"course: EQF 9", func() error {
			_, err := c.PutCourse(coord, &trainingv1.PutCourseRequest{Course: badCourse})
			return err
		}, codes.InvalidArgument, "eqf_level"},
		{"course: unknown module kind", func() error {
			_, err := c.PutCourse(coord, &trainingv1.PutCourseRequest{Course: unknownKind})
			return err
		}, codes.InvalidArgument, "modules[1].kind"},
		{"course: a trainer", func() error { _, err := c.PutCourse(trainer, &trainingv1.PutCourseRequest{Course: course}); return err }, codes.PermissionDenied, ""},
		{"course: unknown", func() error {
			_, err := c.GetCourse(trainer, &trainingv1.GetCourseRequest{CourseId: "nope"})
			return err
		}, codes.NotFound, "course_id"},
		{"edition: invalid start", func() error {
			_, err := c.CreateEdition(coord, &trainingv1.CreateEditionRequest{Id: "g2", CourseId: "aiuto-cuoco", Trainers: []string{"tr1"}, Start: &timestamppb.Timestamp{Nanos: -1}, End: ts(60, 0)})
			return err
		}, codes.InvalidArgument, "start"},
		{"edition: no end", func() error {
			_, err := c.CreateEdition(coord, &trainingv1.CreateEditionRequest{Id: "g2", CourseId: "aiuto-cuoco", Trainers: []string{"tr1"}, Start: ts(-1, 0)})
			return err
		}, codes.InvalidArgument, "end"},
		{"edition: lesson of internship", func() error {
			_, err := c.CreateEdition(coord, &trainingv1.CreateEditionRequest{Id: "g2", CourseId: "aiuto-cuoco", Trainers: []string{"tr1"}, Start: ts(-1, 0), End: ts(60, 0),
				Lessons: []*trainingv1.Lesson{{Id: "g2-l1", ModuleId: "stage", Start: ts(2, 9), Minutes: 60}}})
			return err
		}, codes.InvalidArgument, "lessons[0].module_id"},
		{"edition: exists", func() error {
			_, err := c.CreateEdition(coord, &trainingv1.CreateEditionRequest{Id: "g1", CourseId: "aiuto-cuoco", Trainers: []string{"tr1"}, Start: ts(-1, 0), End: ts(60, 0)})
			return err
		}, codes.FailedPrecondition, "id"},
		{"edition: another trainer", func() error {
			_, err := c.GetEdition(f.as(t, "other"), &trainingv1.GetEditionRequest{EditionId: "g1"})
			return err
		}, codes.PermissionDenied, "edition_id"},
		{"suspend: no note", func() error {
			_, err := c.Suspend(trainer, &trainingv1.SuspendRequest{EditionId: "g1", Person: "p3"})
			return err
		}, codes.InvalidArgument, "note"},
		{"resume: not suspended", func() error {
			_, err := c.Resume(trainer, &trainingv1.ResumeRequest{EditionId: "g1", Person: "p3"})
			return err
		}, codes.FailedPrecondition, "person"},
		{"internship: not an internship module", func() error {
			_, err := c.PlaceIntern(trainer, &trainingv1.PlaceInternRequest{EditionId: "g1", Person: "p3", ModuleId: "haccp", HostId: "h", HostName: "H", Tutor: "T", PlannedHours: 8})
			return err
		}, codes.InvalidArgument, "module_id"},
		{"evaluation: no internship", func() error {
			_, err := c.EvaluateInternship(trainer, &trainingv1.EvaluateInternshipRequest{EditionId: "g1", Person: "p3", Rating: 4})
			return err
		}, codes.FailedPrecondition, "person"},
		{"close: unknown module", func() error {
			_, err := c.CloseModule(trainer, &trainingv1.CloseModuleRequest{EditionId: "g1", ModuleId: "nope"})
			return err
		}, codes.NotFound, "module_id"},
		{"lesson: too short", func() error {
			_, err := c.AddLesson(trainer, &trainingv1.AddLessonRequest{EditionId: "g1", Id: "g-x2", ModuleId: "cucina", Start: ts(3, 9), Minutes: 5})
			return err
		}, codes.InvalidArgument, "minutes"},
		{"lesson: module closed", func() error {
			_, err := c.AddLesson(trainer, &trainingv1.AddLessonRequest{EditionId: "g1", Id: "g-x2", ModuleId: "cucina", Start: ts(3, 9), Minutes: 60})
			return err
		}, codes.FailedPrecondition, "module_id"},
		{"lesson: move a recorded one", func() error {
			_, err := c.MoveLesson(trainer, &trainingv1.MoveLessonRequest{LessonId: "g-l1", Start: ts(-19, 9), Minutes: 240})
			return err
		}, codes.FailedPrecondition, "lesson_id"},
		{"lesson: move with no start", func() error {
			_, err := c.MoveLesson(trainer, &trainingv1.MoveLessonRequest{LessonId: "g-l1", Minutes: 240})
			return err
		}, codes.InvalidArgument, "start"},
		{"lesson: cancel an unknown one", func() error {
			_, err := c.CancelLesson(trainer, &trainingv1.CancelLessonRequest{LessonId: "nope"})
			return err
		}, codes.NotFound, "lesson_id"},
		{"lesson: no token", func() error {
			_, err := c.GetLesson(f.as(t, ""), &trainingv1.GetLessonRequest{LessonId: "g-l1"})
			return err
		}, codes.Unauthenticated, "authorization"},
		{"correction: module closed", func() error {
			_, err := c.CorrectRegister(trainer, &trainingv1.CorrectRegisterRequest{LessonId: "g-l1", Reason: "x", Marks: []*trainingv1.Mark{{Person: "p1", Status: absent}}})
			return err
		}, codes.InvalidArgument, "lesson_id"},
		{"correction: unknown status", func() error {
			_, err := c.CorrectRegister(trainer, &trainingv1.CorrectRegisterRequest{LessonId: "g-l1", Reason: "x", Marks: []*trainingv1.Mark{{Person: "p1", Status: 42}}})
			return err
		}, codes.InvalidArgument, "marks[0].status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := grpcstatus.Convert(tc.call())
			if st.Code() != tc.code || grpcField(st) != tc.field || st.Message() == "" {
				t.Fatalf("got %v %q (%q), want %v naming %q", st.Code(), grpcField(st), st.Message(), tc.code, tc.field)
			}
		})
	}
	if after := f.snapshot(t); after != before {
		t.Fatalf("refused calls changed the store:\nbefore %s\nafter  %s", before, after)
	}
}
