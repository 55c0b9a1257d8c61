package courses

import (
	"context"
	"math"
	"time"

	"github.com/go-kit/kit/endpoint"
	kitgrpc "github.com/go-kit/kit/transport/grpc"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/grpckit"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/pkg/register/registerpb"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
)

// grpcServer serves the same endpoints as the HTTP transport over gRPC,
// the CSV exports excepted (see the proto).
type grpcServer struct {
	coursesv1.UnimplementedCoursesServiceServer
	putCourse, createClass, listLessons, addLesson, cancelLesson, moveLesson,
	getLesson, recordRegister, correctRegister, attendance,
	enrol, importRoster, withdraw, suspend, resume, transfer, assess, certify kitgrpc.Handler
}

// NewGRPCServer returns a gRPC server of the CoursesService over e.
func NewGRPCServer(e Endpoints) *grpc.Server {
	opts := grpckit.ServerOptions()
	h := func(ep endpoint.Endpoint, dec kitgrpc.DecodeRequestFunc, enc kitgrpc.EncodeResponseFunc) kitgrpc.Handler {
		return kitgrpc.NewServer(ep, dec, enc, opts...)
	}
	s := &grpcServer{
		putCourse:       h(e.PutCourse, decodeGRPCPutCourse, done[coursesv1.PutCourseResponse]()),
		createClass:     h(e.CreateClass, decodeGRPCCreateClass, encodeGRPCCreateClass),
		listLessons:     h(e.Today, decodeGRPCListLessons, encodeGRPCListLessons),
		addLesson:       h(e.AddLesson, decodeGRPCAddLesson, encodeGRPCAddLesson),
		cancelLesson:    h(e.CancelLesson, decodeGRPCCancelLesson, encodeGRPCCancelLesson),
		moveLesson:      h(e.MoveLesson, decodeGRPCMoveLesson, encodeGRPCMoveLesson),
		getLesson:       h(e.GetLesson, decodeGRPCGetLesson, encodeGRPCGetLesson),
		recordRegister:  h(e.RecordRegister, decodeGRPCRecordRegister, encodeGRPCRecordRegister),
		correctRegister: h(e.CorrectRegister, decodeGRPCCorrectRegister, encodeGRPCCorrectRegister),
		attendance:      h(e.Attendance, decodeGRPCAttendance, encodeGRPCAttendance),
		enrol:           h(e.Enrol, decodeGRPCEnrol, encodeGRPCEnrol),
		importRoster:    h(e.ImportRoster, decodeGRPCImportRoster, encodeGRPCImportRoster),
		withdraw:        h(e.Withdraw, decodeGRPCWithdraw, done[coursesv1.WithdrawResponse]()),
		suspend:         h(e.Suspend, decodeGRPCSuspend, done[coursesv1.SuspendResponse]()),
		resume:          h(e.Suspend, decodeGRPCResume, done[coursesv1.ResumeResponse]()),
		transfer:        h(e.Transfer, decodeGRPCTransfer, done[coursesv1.TransferResponse]()),
		assess:          h(e.Assess, decodeGRPCAssess, encodeGRPCAssess),
		certify:         h(e.Certify, decodeGRPCCertify, encodeGRPCCertify),
	}
	srv := grpc.NewServer()
	coursesv1.RegisterCoursesServiceServer(srv, s)
	return srv
}

func (s *grpcServer) PutCourse(ctx context.Context, req *coursesv1.PutCourseRequest) (*coursesv1.PutCourseResponse, error) {
	return grpckit.Serve[*coursesv1.PutCourseResponse](ctx, s.putCourse, req)
}

func (s *grpcServer) CreateClass(ctx context.Context, req *coursesv1.CreateClassRequest) (*coursesv1.CreateClassResponse, error) {
	return grpckit.Serve[*coursesv1.CreateClassResponse](ctx, s.createClass, req)
}

func (s *grpcServer) ListLessons(ctx context.Context, req *coursesv1.ListLessonsRequest) (*coursesv1.ListLessonsResponse, error) {
	return grpckit.Serve[*coursesv1.ListLessonsResponse](ctx, s.listLessons, req)
}

func (s *grpcServer) AddLesson(ctx context.Context, req *coursesv1.AddLessonRequest) (*coursesv1.AddLessonResponse, error) {
	return grpckit.Serve[*coursesv1.AddLessonResponse](ctx, s.addLesson, req)
}

func (s *grpcServer) CancelLesson(ctx context.Context, req *coursesv1.CancelLessonRequest) (*coursesv1.CancelLessonResponse, error) {
	return grpckit.Serve[*coursesv1.CancelLessonResponse](ctx, s.cancelLesson, req)
}

func (s *grpcServer) MoveLesson(ctx context.Context, req *coursesv1.MoveLessonRequest) (*coursesv1.MoveLessonResponse, error) {
	return grpckit.Serve[*coursesv1.MoveLessonResponse](ctx, s.moveLesson, req)
}

func (s *grpcServer) GetLesson(ctx context.Context, req *coursesv1.GetLessonRequest) (*coursesv1.GetLessonResponse, error) {
	return grpckit.Serve[*coursesv1.GetLessonResponse](ctx, s.getLesson, req)
}

func (s *grpcServer) RecordRegister(ctx context.Context, req *coursesv1.RecordRegisterRequest) (*coursesv1.RecordRegisterResponse, error) {
	return grpckit.Serve[*coursesv1.RecordRegisterResponse](ctx, s.recordRegister, req)
}

func (s *grpcServer) CorrectRegister(ctx context.Context, req *coursesv1.CorrectRegisterRequest) (*coursesv1.CorrectRegisterResponse, error) {
	return grpckit.Serve[*coursesv1.CorrectRegisterResponse](ctx, s.correctRegister, req)
}

func (s *grpcServer) GetClassAttendance(ctx context.Context, req *coursesv1.GetClassAttendanceRequest) (*coursesv1.GetClassAttendanceResponse, error) {
	return grpckit.Serve[*coursesv1.GetClassAttendanceResponse](ctx, s.attendance, req)
}

func (s *grpcServer) Enrol(ctx context.Context, req *coursesv1.EnrolRequest) (*coursesv1.EnrolResponse, error) {
	return grpckit.Serve[*coursesv1.EnrolResponse](ctx, s.enrol, req)
}

func (s *grpcServer) ImportRoster(ctx context.Context, req *coursesv1.ImportRosterRequest) (*coursesv1.ImportRosterResponse, error) {
	return grpckit.Serve[*coursesv1.ImportRosterResponse](ctx, s.importRoster, req)
}

func (s *grpcServer) Withdraw(ctx context.Context, req *coursesv1.WithdrawRequest) (*coursesv1.WithdrawResponse, error) {
	return grpckit.Serve[*coursesv1.WithdrawResponse](ctx, s.withdraw, req)
}

func (s *grpcServer) Suspend(ctx context.Context, req *coursesv1.SuspendRequest) (*coursesv1.SuspendResponse, error) {
	return grpckit.Serve[*coursesv1.SuspendResponse](ctx, s.suspend, req)
}

func (s *grpcServer) Resume(ctx context.Context, req *coursesv1.ResumeRequest) (*coursesv1.ResumeResponse, error) {
	return grpckit.Serve[*coursesv1.ResumeResponse](ctx, s.resume, req)
}

func (s *grpcServer) Transfer(ctx context.Context, req *coursesv1.TransferRequest) (*coursesv1.TransferResponse, error) {
	return grpckit.Serve[*coursesv1.TransferResponse](ctx, s.transfer, req)
}

func (s *grpcServer) Assess(ctx context.Context, req *coursesv1.AssessRequest) (*coursesv1.AssessResponse, error) {
	return grpckit.Serve[*coursesv1.AssessResponse](ctx, s.assess, req)
}

func (s *grpcServer) IssueCertificate(ctx context.Context, req *coursesv1.IssueCertificateRequest) (*coursesv1.IssueCertificateResponse, error) {
	return grpckit.Serve[*coursesv1.IssueCertificateResponse](ctx, s.certify, req)
}

// done encodes a change with nothing to say but that it is done, as an
// empty response message M.
func done[M any]() kitgrpc.EncodeResponseFunc {
	return func(context.Context, any) (any, error) { return new(M), nil }
}

func decodeGRPCPutCourse(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.PutCourseRequest)
	return CourseRequest{
		ID: r.Id, Kind: r.Kind, Title: r.Title, TotalHours: int(r.TotalHours), TargetLevel: r.TargetLevel, TargetDigComp: int(r.TargetDigcomp),
	}, nil
}

func decodeGRPCCreateClass(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.CreateClassRequest)
	c := ClassRequest{
		ID: r.Id, CourseID: r.CourseId, Title: r.Title, Site: r.Site, Teachers: r.Teachers,
		StartDate: r.StartDate, EndDate: r.EndDate, Capacity: int(r.Capacity),
	}
	for _, sl := range r.Schedule {
		c.Schedule = append(c.Schedule, SlotJSON{Weekday: sl.GetWeekday(), Start: sl.GetStart(), Minutes: int(sl.GetMinutes())})
	}
	return c, nil
}

func encodeGRPCCreateClass(_ context.Context, resp any) (any, error) {
	r := resp.(ClassCreated)
	return &coursesv1.CreateClassResponse{Id: r.ID, Lessons: uint32(r.Lessons), Created: r.created}, nil
}

func decodeGRPCListLessons(_ context.Context, req any) (any, error) {
	return TodayRequest{Date: req.(*coursesv1.ListLessonsRequest).Date}, nil
}

func encodeGRPCListLessons(_ context.Context, resp any) (any, error) {
	r := resp.(TodayResponse)
	out := &coursesv1.ListLessonsResponse{Date: r.Date}
	for _, l := range r.Lessons {
		out.Lessons = append(out.Lessons, &coursesv1.DayLesson{Lesson: grpcLesson(l.LessonJSON), ClassTitle: l.ClassTitle, Site: l.Site, Expected: uint32(l.Expected)})
	}
	return out, nil
}

// rfc3339 gives the endpoints a start as the HTTP API does; a missing one
// is empty, which the endpoint refuses naming "start". One out of the
// Timestamp's range is refused here: AsTime would read it as another
// instant (nanos past a second carried into the seconds).
func rfc3339(field string, t *timestamppb.Timestamp) (string, error) {
	if t == nil {
		return "", nil
	}
	if err := t.CheckValid(); err != nil {
		return "", errcode.New(errcode.Invalid, field, "is not a valid time")
	}
	return t.AsTime().Format(time.RFC3339Nano), nil
}

func decodeGRPCAddLesson(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.AddLessonRequest)
	start, err := rfc3339("start", r.Start)
	if err != nil {
		return nil, err
	}
	return LessonTimeRequest{ClassID: r.ClassId, Start: start, Minutes: int(r.Minutes)}, nil
}

func encodeGRPCAddLesson(_ context.Context, resp any) (any, error) {
	return &coursesv1.AddLessonResponse{Lesson: grpcLesson(resp.(AddedLesson).LessonJSON)}, nil
}

func decodeGRPCCancelLesson(_ context.Context, req any) (any, error) {
	return GetLessonRequest{LessonID: req.(*coursesv1.CancelLessonRequest).LessonId}, nil
}

func encodeGRPCCancelLesson(_ context.Context, resp any) (any, error) {
	return &coursesv1.CancelLessonResponse{Lesson: grpcLesson(resp.(LessonJSON))}, nil
}

func decodeGRPCMoveLesson(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.MoveLessonRequest)
	start, err := rfc3339("start", r.Start)
	if err != nil {
		return nil, err
	}
	return LessonTimeRequest{LessonID: r.LessonId, Start: start, Minutes: int(r.Minutes)}, nil
}

func encodeGRPCMoveLesson(_ context.Context, resp any) (any, error) {
	return &coursesv1.MoveLessonResponse{Lesson: grpcLesson(resp.(LessonJSON))}, nil
}

func decodeGRPCGetLesson(_ context.Context, req any) (any, error) {
	return GetLessonRequest{LessonID: req.(*coursesv1.GetLessonRequest).LessonId}, nil
}

func encodeGRPCGetLesson(_ context.Context, resp any) (any, error) {
	r := resp.(LessonResponse)
	out := &coursesv1.GetLessonResponse{Lesson: grpcLesson(r.Lesson), ClassTitle: r.Class.Title, Locked: r.Locked, People: grpcPeople(r.Class.Roster)}
	for _, e := range r.Class.Roster {
		if e.Status == "enrolled" {
			out.Roster = append(out.Roster, &coursesv1.Mark{Person: e.Person, DisplayName: e.DisplayName})
		}
	}
	if r.Register != nil {
		out.Register = grpcRegister(*r.Register)
	}
	return out, nil
}

func decodeGRPCRecordRegister(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.RecordRegisterRequest)
	marks, err := registerpb.Marks(r.Marks)
	return RecordRegisterRequest{LessonID: r.LessonId, Marks: marks}, err
}

func encodeGRPCRecordRegister(_ context.Context, resp any) (any, error) {
	r := resp.(RegisterResponse)
	return &coursesv1.RecordRegisterResponse{Register: grpcRegister(r.Register), Created: r.created}, nil
}

func decodeGRPCCorrectRegister(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.CorrectRegisterRequest)
	marks, err := registerpb.Marks(r.Marks)
	return CorrectRegisterRequest{LessonID: r.LessonId, Marks: marks, Reason: r.Reason}, err
}

func encodeGRPCCorrectRegister(_ context.Context, resp any) (any, error) {
	return &coursesv1.CorrectRegisterResponse{Register: grpcRegister(resp.(RegisterResponse).Register)}, nil
}

func decodeGRPCAttendance(_ context.Context, req any) (any, error) {
	return ClassIDRequest{ClassID: req.(*coursesv1.GetClassAttendanceRequest).ClassId}, nil
}

func encodeGRPCAttendance(_ context.Context, resp any) (any, error) {
	r := resp.(AttendanceResponse)
	out := &coursesv1.GetClassAttendanceResponse{
		ClassId: r.Class.ID, Title: r.Class.Title, CourseKind: r.Class.CourseKind, PlannedMinutes: uint32(r.Class.PlannedMinutes),
		AdmissionBp: bp(r.AdmissionPercent), People: grpcPeople(r.Class.Roster),
	}
	for _, w := range r.Class.Waiting {
		out.Waiting = append(out.Waiting, &coursesv1.WaitingPerson{Person: w.Person, DisplayName: w.DisplayName})
	}
	return out, nil
}

func grpcPeople(roster []EnrolmentJSON) []*coursesv1.PersonAttendance {
	out := make([]*coursesv1.PersonAttendance, len(roster))
	for i, e := range roster {
		out[i] = &coursesv1.PersonAttendance{
			Person: e.Person, DisplayName: e.DisplayName, Status: e.Status, Reason: e.Reason,
			MinutesAttended: uint32(e.MinutesAttended), MinutesHeld: uint32(e.MinutesHeld), RateBp: bp(e.RatePercent),
			ConsecutiveAbsences: uint32(e.ConsecutiveAbsences), AdmittedToFinal: e.AdmittedToFinal,
			TransferredFrom: e.TransferredFrom, TransferredTo: e.TransferredTo,
		}
	}
	return out
}

// bp turns a percentage with two decimals back into the basis points it
// was computed from.
func bp(percent float64) uint32 { return uint32(math.Round(percent * 100)) }

func decodeGRPCEnrol(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.EnrolRequest)
	return EnrolRequest{ClassID: r.ClassId, Person: r.Person, DisplayName: r.DisplayName}, nil
}

func encodeGRPCEnrol(_ context.Context, resp any) (any, error) {
	return &coursesv1.EnrolResponse{Status: resp.(EnrolResponse).Status}, nil
}

// decodeGRPCImportRoster takes the rows as they come, within the bounds a
// CSV roster has; each row's outcome is reported by its index.
func decodeGRPCImportRoster(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.ImportRosterRequest)
	switch {
	case len(r.Rows) == 0:
		return nil, errcode.New(errcode.Invalid, "rows", "lists nobody")
	case len(r.Rows) > maxRosterRows:
		return nil, errcode.New(errcode.Invalid, "rows", "has more than %d people", maxRosterRows)
	}
	rows := make([]RosterRow, len(r.Rows))
	for i, row := range r.Rows {
		rows[i] = RosterRow{Line: i, Person: row.GetPerson(), DisplayName: row.GetDisplayName()}
	}
	return ImportRosterRequest{ClassID: r.ClassId, Rows: rows}, nil
}

func encodeGRPCImportRoster(_ context.Context, resp any) (any, error) {
	r := resp.(ImportReport)
	out := &coursesv1.ImportRosterResponse{Enrolled: uint32(r.Enrolled), Waiting: uint32(r.Waiting), Rejected: uint32(r.Rejected)}
	for _, l := range r.Lines {
		out.Rows = append(out.Rows, &coursesv1.RosterRowOutcome{Row: uint32(l.Line), Person: l.Person, Outcome: l.Outcome, Field: l.Field, Reason: l.Reason})
	}
	return out, nil
}

func decodeGRPCWithdraw(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.WithdrawRequest)
	return PersonRequest{ClassID: r.ClassId, Person: r.Person, Reason: r.Reason, Note: r.Note}, nil
}

func decodeGRPCSuspend(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.SuspendRequest)
	return PersonRequest{ClassID: r.ClassId, Person: r.Person, suspend: true}, nil
}

func decodeGRPCResume(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.ResumeRequest)
	return PersonRequest{ClassID: r.ClassId, Person: r.Person}, nil
}

func decodeGRPCTransfer(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.TransferRequest)
	return PersonRequest{ClassID: r.ClassId, Person: r.Person, ToClassID: r.ToClassId}, nil
}

func decodeGRPCAssess(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.AssessRequest)
	a := AssessRequest{ClassID: r.ClassId, Person: r.Person, Kind: r.Kind, CefrOverall: r.CefrOverall, CefrBySkill: r.CefrBySkill}
	if len(r.DigcompByArea) > 0 {
		a.DigCompByArea = make(map[string]int, len(r.DigcompByArea))
		for area, l := range r.DigcompByArea {
			a.DigCompByArea[area] = int(l)
		}
	}
	return a, nil
}

func encodeGRPCAssess(_ context.Context, resp any) (any, error) {
	return &coursesv1.AssessResponse{Id: resp.(AssessResponse).ID}, nil
}

func decodeGRPCCertify(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.IssueCertificateRequest)
	return PersonRequest{ClassID: r.ClassId, Person: r.Person}, nil
}

func encodeGRPCCertify(_ context.Context, resp any) (any, error) {
	r := resp.(CertificateResponse)
	out := &coursesv1.IssueCertificateResponse{Id: r.ID, Person: r.Person, CefrLevel: r.Level, IssuedAt: timestamppb.New(r.At), Created: r.created}
	if byArea, ok := r.ByArea.(map[string]int); ok {
		out.DigcompByArea = make(map[string]uint32, len(byArea))
		for area, l := range byArea {
			out.DigcompByArea[area] = uint32(l)
		}
	}
	return out, nil
}

func grpcLesson(l LessonJSON) *coursesv1.Lesson {
	return &coursesv1.Lesson{Id: l.ID, ClassId: l.ClassID, Start: timestamppb.New(l.Start), Minutes: uint32(l.Minutes), Status: l.Status, Extra: l.Extra}
}

func grpcRegister(r RegisterJSON) *coursesv1.Register {
	out := &coursesv1.Register{LessonId: r.LessonID, ClassId: r.ClassID, RecordedBy: r.RecordedBy, RecordedAt: timestamppb.New(r.RecordedAt), Revision: uint32(r.Revision)}
	for _, m := range r.Marks {
		out.Marks = append(out.Marks, &coursesv1.Mark{Person: m.Person, DisplayName: m.DisplayName, Status: registerpb.Status(register.Status(m.Status)), Minutes: uint32(m.Minutes)})
	}
	return out
}
