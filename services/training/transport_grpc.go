package training

import (
	"context"
	"fmt"
	"time"

	kitgrpc "github.com/go-kit/kit/transport/grpc"
	"google.golang.org/grpc"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/grpckit"
	"github.com/percorsi/percorsi/pkg/register"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
	"github.com/percorsi/percorsi/services/training/domain"
)

// grpcServer serves the same endpoints as the HTTP transport over gRPC.
type grpcServer struct {
	trainingv1.UnimplementedTrainingServiceServer
	enrol, recordRegister, recordHours, recordExam, withdraw kitgrpc.Handler
}

// NewGRPCServer returns a gRPC server of the TrainingService over e.
func NewGRPCServer(e Endpoints) *grpc.Server {
	opts := grpckit.ServerOptions()
	s := &grpcServer{
		enrol:          kitgrpc.NewServer(e.Enrol, decodeGRPCEnrol, encodeGRPCEdition(func(ed *trainingv1.Edition) any { return &trainingv1.EnrolResponse{Edition: ed} }), opts...),
		recordRegister: kitgrpc.NewServer(e.RecordRegister, decodeGRPCRecordRegister, encodeGRPCRecordRegister, opts...),
		recordHours:    kitgrpc.NewServer(e.RecordHours, decodeGRPCRecordHours, encodeGRPCEdition(func(ed *trainingv1.Edition) any { return &trainingv1.RecordInternshipHoursResponse{Edition: ed} }), opts...),
		recordExam:     kitgrpc.NewServer(e.RecordExam, decodeGRPCRecordExam, encodeGRPCEdition(func(ed *trainingv1.Edition) any { return &trainingv1.RecordExamResponse{Edition: ed} }), opts...),
		withdraw:       kitgrpc.NewServer(e.Withdraw, decodeGRPCWithdraw, encodeGRPCEdition(func(ed *trainingv1.Edition) any { return &trainingv1.WithdrawResponse{Edition: ed} }), opts...),
	}
	srv := grpc.NewServer()
	trainingv1.RegisterTrainingServiceServer(srv, s)
	return srv
}

func (s *grpcServer) Enrol(ctx context.Context, req *trainingv1.EnrolRequest) (*trainingv1.EnrolResponse, error) {
	return grpckit.Serve[*trainingv1.EnrolResponse](ctx, s.enrol, req)
}

func (s *grpcServer) RecordRegister(ctx context.Context, req *trainingv1.RecordRegisterRequest) (*trainingv1.RecordRegisterResponse, error) {
	return grpckit.Serve[*trainingv1.RecordRegisterResponse](ctx, s.recordRegister, req)
}

func (s *grpcServer) RecordInternshipHours(ctx context.Context, req *trainingv1.RecordInternshipHoursRequest) (*trainingv1.RecordInternshipHoursResponse, error) {
	return grpckit.Serve[*trainingv1.RecordInternshipHoursResponse](ctx, s.recordHours, req)
}

func (s *grpcServer) RecordExam(ctx context.Context, req *trainingv1.RecordExamRequest) (*trainingv1.RecordExamResponse, error) {
	return grpckit.Serve[*trainingv1.RecordExamResponse](ctx, s.recordExam, req)
}

func (s *grpcServer) Withdraw(ctx context.Context, req *trainingv1.WithdrawRequest) (*trainingv1.WithdrawResponse, error) {
	return grpckit.Serve[*trainingv1.WithdrawResponse](ctx, s.withdraw, req)
}

func decodeGRPCEnrol(_ context.Context, req any) (any, error) {
	r := req.(*trainingv1.EnrolRequest)
	return EnrolRequest{EditionID: r.EditionId, Person: r.Person, DisplayName: r.DisplayName}, nil
}

func decodeGRPCRecordHours(_ context.Context, req any) (any, error) {
	r := req.(*trainingv1.RecordInternshipHoursRequest)
	day, err := parseTime("day", r.Day, time.DateOnly)
	if err != nil {
		return nil, err
	}
	return RecordHoursRequest{EditionID: r.EditionId, Person: r.Person, Day: day, Minutes: int(r.Minutes)}, nil
}

func decodeGRPCRecordExam(_ context.Context, req any) (any, error) {
	r := req.(*trainingv1.RecordExamRequest)
	heldOn, err := parseTime("held_on", r.HeldOn, time.DateOnly)
	if err != nil {
		return nil, err
	}
	out := RecordExamRequest{EditionID: r.EditionId, HeldOn: heldOn, Results: make([]domain.Result, len(r.Results))}
	for i, x := range r.Results {
		outcome := domain.ExamOutcome("")
		switch x.Outcome {
		case trainingv1.ExamOutcome_EXAM_OUTCOME_PASSED:
			outcome = domain.Passed
		case trainingv1.ExamOutcome_EXAM_OUTCOME_FAILED:
			outcome = domain.Failed
		case trainingv1.ExamOutcome_EXAM_OUTCOME_ABSENT:
			outcome = domain.AbsentAtExam
		case trainingv1.ExamOutcome_EXAM_OUTCOME_UNSPECIFIED:
		default:
			return nil, errcode.New(errcode.Invalid, fmt.Sprintf("results[%d].outcome", i), "is not a known outcome")
		}
		out.Results[i] = domain.Result{Person: x.Person, Outcome: outcome, Score: int(x.Score), UnitsPassed: x.UnitsPassed}
	}
	return out, nil
}

func decodeGRPCWithdraw(_ context.Context, req any) (any, error) {
	r := req.(*trainingv1.WithdrawRequest)
	reason := ""
	for _, wr := range domain.WithdrawReasons {
		if withdrawReason(wr) == r.Reason {
			reason = string(wr)
		}
	}
	return WithdrawRequest{EditionID: r.EditionId, Person: r.Person, Reason: reason, Note: r.Note, UnitsCertified: r.UnitsCertified}, nil
}

func decodeGRPCRecordRegister(_ context.Context, req any) (any, error) {
	r := req.(*trainingv1.RecordRegisterRequest)
	out := RecordRegisterRequest{LessonID: r.LessonId, Marks: make([]MarkJSON, len(r.Marks))}
	for i, m := range r.Marks {
		s := register.Status("")
		switch m.Status {
		case registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT:
			s = register.Present
		case registerv1.AttendanceStatus_ATTENDANCE_STATUS_ABSENT:
			s = register.Absent
		case registerv1.AttendanceStatus_ATTENDANCE_STATUS_LATE:
			s = register.Late
		case registerv1.AttendanceStatus_ATTENDANCE_STATUS_EXCUSED:
			s = register.Excused
		case registerv1.AttendanceStatus_ATTENDANCE_STATUS_UNSPECIFIED:
		default:
			return nil, errcode.New(errcode.Invalid, fmt.Sprintf("marks[%d].status", i), "is not a known status")
		}
		out.Marks[i] = MarkJSON{Person: m.Person, Status: string(s), Minutes: int(m.Minutes)}
	}
	return out, nil
}

func encodeGRPCRecordRegister(_ context.Context, resp any) (any, error) {
	r := resp.(RegisterResponse)
	out := &trainingv1.RecordRegisterResponse{LessonId: r.Register.LessonID, EditionId: r.Register.EditionID, Created: r.created}
	for _, m := range r.Register.Marks {
		out.Marks = append(out.Marks, &trainingv1.Mark{Person: m.Person, Status: status(register.Status(m.Status)), Minutes: uint32(m.Minutes)})
	}
	return out, nil
}

// encodeGRPCEdition encodes an EditionResponse into the RPC's response,
// which wrap builds around the edition.
func encodeGRPCEdition(wrap func(*trainingv1.Edition) any) kitgrpc.EncodeResponseFunc {
	return func(_ context.Context, resp any) (any, error) {
		e := resp.(EditionResponse).Edition
		out := &trainingv1.Edition{Id: e.ID, CourseId: e.CourseID, ClosedModules: e.ClosedModules}
		for _, en := range e.Roster {
			g := &trainingv1.Enrolment{Person: en.Person, DisplayName: en.DisplayName, Status: en.Status, Qualified: en.Qualified, CertifiedUnits: en.CertifiedUnits}
			if en.Internship != nil {
				g.InternshipMinutes = uint32(en.Internship.MinutesDone)
			}
			out.Roster = append(out.Roster, g)
		}
		return wrap(out), nil
	}
}
