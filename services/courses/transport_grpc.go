package courses

import (
	"context"

	kitgrpc "github.com/go-kit/kit/transport/grpc"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/grpckit"
	"github.com/percorsi/percorsi/pkg/register"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
)

// grpcServer serves the same endpoints as the HTTP transport over gRPC.
type grpcServer struct {
	coursesv1.UnimplementedCoursesServiceServer
	getLesson, recordRegister, correctRegister, attendance kitgrpc.Handler
}

// NewGRPCServer returns a gRPC server of the CoursesService over e.
func NewGRPCServer(e Endpoints) *grpc.Server {
	opts := grpckit.ServerOptions()
	s := &grpcServer{
		getLesson:       kitgrpc.NewServer(e.GetLesson, decodeGRPCGetLesson, encodeGRPCGetLesson, opts...),
		recordRegister:  kitgrpc.NewServer(e.RecordRegister, decodeGRPCRecordRegister, encodeGRPCRecordRegister, opts...),
		correctRegister: kitgrpc.NewServer(e.CorrectRegister, decodeGRPCCorrectRegister, encodeGRPCCorrectRegister, opts...),
		attendance:      kitgrpc.NewServer(e.Attendance, decodeGRPCAttendance, encodeGRPCAttendance, opts...),
	}
	srv := grpc.NewServer()
	coursesv1.RegisterCoursesServiceServer(srv, s)
	return srv
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

func decodeGRPCGetLesson(_ context.Context, req any) (any, error) {
	return GetLessonRequest{LessonID: req.(*coursesv1.GetLessonRequest).LessonId}, nil
}

func encodeGRPCGetLesson(_ context.Context, resp any) (any, error) {
	r := resp.(LessonResponse)
	out := &coursesv1.GetLessonResponse{Lesson: grpcLesson(r.Lesson), ClassTitle: r.Class.Title}
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
	return RecordRegisterRequest{LessonID: r.LessonId, Marks: fromGRPCMarks(r.Marks)}, nil
}

func encodeGRPCRecordRegister(_ context.Context, resp any) (any, error) {
	r := resp.(RegisterResponse)
	return &coursesv1.RecordRegisterResponse{Register: grpcRegister(r.Register), Created: r.created}, nil
}

func decodeGRPCCorrectRegister(_ context.Context, req any) (any, error) {
	r := req.(*coursesv1.CorrectRegisterRequest)
	return CorrectRegisterRequest{LessonID: r.LessonId, Marks: fromGRPCMarks(r.Marks), Reason: r.Reason}, nil
}

func encodeGRPCCorrectRegister(_ context.Context, resp any) (any, error) {
	return &coursesv1.CorrectRegisterResponse{Register: grpcRegister(resp.(RegisterResponse).Register)}, nil
}

func decodeGRPCAttendance(_ context.Context, req any) (any, error) {
	return ClassIDRequest{ClassID: req.(*coursesv1.GetClassAttendanceRequest).ClassId}, nil
}

func encodeGRPCAttendance(_ context.Context, resp any) (any, error) {
	r := resp.(AttendanceResponse)
	out := &coursesv1.GetClassAttendanceResponse{ClassId: r.Class.ID, PlannedMinutes: uint32(r.Class.PlannedMinutes)}
	for _, e := range r.Class.Roster {
		out.People = append(out.People, &coursesv1.PersonAttendance{
			Person: e.Person, DisplayName: e.DisplayName, Status: e.Status,
			MinutesAttended: uint32(e.MinutesAttended), MinutesHeld: uint32(e.MinutesHeld), RateBp: uint32(e.RatePercent * 100),
			ConsecutiveAbsences: uint32(e.ConsecutiveAbsences), AdmittedToFinal: e.AdmittedToFinal,
		})
	}
	return out, nil
}

func grpcLesson(l LessonJSON) *coursesv1.Lesson {
	return &coursesv1.Lesson{Id: l.ID, ClassId: l.ClassID, Start: timestamppb.New(l.Start), Minutes: uint32(l.Minutes), Status: l.Status}
}

func grpcRegister(r RegisterJSON) *coursesv1.Register {
	out := &coursesv1.Register{LessonId: r.LessonID, ClassId: r.ClassID, RecordedBy: r.RecordedBy, RecordedAt: timestamppb.New(r.RecordedAt), Revision: uint32(r.Revision)}
	for _, m := range r.Marks {
		out.Marks = append(out.Marks, &coursesv1.Mark{Person: m.Person, DisplayName: m.DisplayName, Status: status(register.Status(m.Status)), Minutes: uint32(m.Minutes)})
	}
	return out
}

// fromGRPCMarks reads marks; an unspecified status stays empty so that the
// register check names it.
func fromGRPCMarks(ms []*coursesv1.Mark) []MarkJSON {
	out := make([]MarkJSON, len(ms))
	for i, m := range ms {
		out[i] = MarkJSON{Person: m.GetPerson(), Status: statusName(m.GetStatus()), Minutes: int(m.GetMinutes())}
	}
	return out
}

func statusName(s registerv1.AttendanceStatus) string {
	switch s {
	case registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT:
		return string(register.Present)
	case registerv1.AttendanceStatus_ATTENDANCE_STATUS_ABSENT:
		return string(register.Absent)
	case registerv1.AttendanceStatus_ATTENDANCE_STATUS_LATE:
		return string(register.Late)
	case registerv1.AttendanceStatus_ATTENDANCE_STATUS_EXCUSED:
		return string(register.Excused)
	}
	return ""
}
