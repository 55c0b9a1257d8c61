package training

import (
	"context"
	"fmt"
	"time"

	"github.com/go-kit/kit/endpoint"
	kitgrpc "github.com/go-kit/kit/transport/grpc"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/endpointkit"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/grpckit"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/pkg/register/registerjson"
	"github.com/percorsi/percorsi/pkg/register/registerpb"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
	"github.com/percorsi/percorsi/services/training/domain"
)

// grpcServer serves the same endpoints as the HTTP transport over gRPC, all
// but the CSV exports. It embeds the Unsafe interface rather than the
// Unimplemented server so that an RPC added to the proto and not served
// here fails to compile instead of answering Unimplemented.
type grpcServer struct {
	trainingv1.UnsafeTrainingServiceServer
	putCourse, getCourse, createEdition, getEdition, listEditions kitgrpc.Handler
	enrol, suspend, resume, withdraw                              kitgrpc.Handler
	placeIntern, recordHours, evaluate, closeModule, recordExam   kitgrpc.Handler
	getLesson, addLesson, cancelLesson, moveLesson                kitgrpc.Handler
	recordRegister, correctRegister                               kitgrpc.Handler
}

// NewGRPCServer returns a gRPC server of the TrainingService over e.
func NewGRPCServer(e Endpoints) *grpc.Server {
	s := &grpcServer{
		putCourse: handler(e.PutCourse, decodeGRPCPutCourse, func(c CourseJSON) *trainingv1.PutCourseResponse {
			return &trainingv1.PutCourseResponse{Course: grpcCourse(c)}
		}),
		getCourse: handler(e.GetCourse, func(r *trainingv1.GetCourseRequest) (any, error) {
			return GetCourseRequest{CourseID: r.CourseId}, nil
		}, func(c CourseJSON) *trainingv1.GetCourseResponse {
			return &trainingv1.GetCourseResponse{Course: grpcCourse(c)}
		}),
		createEdition: handler(e.CreateEdition, decodeGRPCCreateEdition, func(r EditionResponse) *trainingv1.CreateEditionResponse {
			return &trainingv1.CreateEditionResponse{Edition: grpcEdition(r.Edition)}
		}),
		getEdition: handler(e.GetEdition, func(r *trainingv1.GetEditionRequest) (any, error) {
			return GetEditionRequest{EditionID: r.EditionId}, nil
		}, encodeGRPCGetEdition),
		listEditions: handler(e.ListEditions, func(*trainingv1.ListEditionsRequest) (any, error) {
			return ListEditionsRequest{}, nil
		}, func(r EditionsResponse) *trainingv1.ListEditionsResponse {
			out := &trainingv1.ListEditionsResponse{}
			for _, ed := range r.Editions {
				out.Editions = append(out.Editions, grpcEdition(ed))
			}
			return out
		}),
		enrol: handler(e.Enrol, func(r *trainingv1.EnrolRequest) (any, error) {
			return EnrolRequest{EditionID: r.EditionId, Person: r.Person, DisplayName: r.DisplayName}, nil
		}, func(r EditionResponse) *trainingv1.EnrolResponse {
			return &trainingv1.EnrolResponse{Edition: grpcEdition(r.Edition)}
		}),
		suspend: handler(e.Suspend, func(r *trainingv1.SuspendRequest) (any, error) {
			return SuspendRequest{EditionID: r.EditionId, Person: r.Person, Note: r.Note}, nil
		}, func(r EditionResponse) *trainingv1.SuspendResponse {
			return &trainingv1.SuspendResponse{Edition: grpcEdition(r.Edition)}
		}),
		resume: handler(e.Resume, func(r *trainingv1.ResumeRequest) (any, error) {
			return ResumeRequest{EditionID: r.EditionId, Person: r.Person}, nil
		}, func(r EditionResponse) *trainingv1.ResumeResponse {
			return &trainingv1.ResumeResponse{Edition: grpcEdition(r.Edition)}
		}),
		withdraw: handler(e.Withdraw, decodeGRPCWithdraw, func(r EditionResponse) *trainingv1.WithdrawResponse {
			return &trainingv1.WithdrawResponse{Edition: grpcEdition(r.Edition)}
		}),
		placeIntern: handler(e.PlaceIntern, func(r *trainingv1.PlaceInternRequest) (any, error) {
			return PlaceInternRequest{
				EditionID: r.EditionId, Person: r.Person, ModuleID: r.ModuleId, HostID: r.HostId, HostName: r.HostName,
				Tutor: r.Tutor, PlannedHours: int(r.PlannedHours),
			}, nil
		}, func(r EditionResponse) *trainingv1.PlaceInternResponse {
			return &trainingv1.PlaceInternResponse{Edition: grpcEdition(r.Edition)}
		}),
		recordHours: handler(e.RecordHours, decodeGRPCRecordHours, func(r EditionResponse) *trainingv1.RecordInternshipHoursResponse {
			return &trainingv1.RecordInternshipHoursResponse{Edition: grpcEdition(r.Edition)}
		}),
		evaluate: handler(e.Evaluate, func(r *trainingv1.EvaluateInternshipRequest) (any, error) {
			return EvaluateRequest{EditionID: r.EditionId, Person: r.Person, Rating: int(r.Rating), Note: r.Note}, nil
		}, func(r EditionResponse) *trainingv1.EvaluateInternshipResponse {
			return &trainingv1.EvaluateInternshipResponse{Edition: grpcEdition(r.Edition)}
		}),
		closeModule: handler(e.CloseModule, func(r *trainingv1.CloseModuleRequest) (any, error) {
			return CloseModuleRequest{EditionID: r.EditionId, ModuleID: r.ModuleId}, nil
		}, func(r EditionResponse) *trainingv1.CloseModuleResponse {
			return &trainingv1.CloseModuleResponse{Edition: grpcEdition(r.Edition)}
		}),
		recordExam: handler(e.RecordExam, decodeGRPCRecordExam, func(r EditionResponse) *trainingv1.RecordExamResponse {
			return &trainingv1.RecordExamResponse{Edition: grpcEdition(r.Edition)}
		}),
		getLesson: handler(e.GetLesson, func(r *trainingv1.GetLessonRequest) (any, error) {
			return GetLessonRequest{LessonID: r.LessonId}, nil
		}, encodeGRPCGetLesson),
		addLesson: handler(e.AddLesson, decodeGRPCAddLesson, func(r LessonChangeResponse) *trainingv1.AddLessonResponse {
			return &trainingv1.AddLessonResponse{Lesson: grpcLesson(r.Lesson), Created: r.created}
		}),
		cancelLesson: handler(e.CancelLesson, func(r *trainingv1.CancelLessonRequest) (any, error) {
			return GetLessonRequest{LessonID: r.LessonId}, nil
		}, func(r LessonChangeResponse) *trainingv1.CancelLessonResponse {
			return &trainingv1.CancelLessonResponse{Lesson: grpcLesson(r.Lesson)}
		}),
		moveLesson: handler(e.MoveLesson, decodeGRPCMoveLesson, func(r LessonChangeResponse) *trainingv1.MoveLessonResponse {
			return &trainingv1.MoveLessonResponse{Lesson: grpcLesson(r.Lesson)}
		}),
		recordRegister: handler(e.RecordRegister, decodeGRPCRecordRegister, encodeGRPCRecordRegister),
		correctRegister: handler(e.CorrectRegister, decodeGRPCCorrectRegister, func(r RegisterResponse) *trainingv1.CorrectRegisterResponse {
			return &trainingv1.CorrectRegisterResponse{Register: grpcRegister(r.Register)}
		}),
	}
	srv := grpc.NewServer()
	trainingv1.RegisterTrainingServiceServer(srv, s)
	return srv
}

// handler serves ep over gRPC: dec turns the RPC's request into the
// endpoint's, enc the endpoint's response into the RPC's.
func handler[In, Out, Reply any](ep endpoint.Endpoint, dec func(In) (any, error), enc func(Out) Reply) kitgrpc.Handler {
	return kitgrpc.NewServer(ep,
		func(_ context.Context, req any) (any, error) { return dec(req.(In)) },
		func(_ context.Context, resp any) (any, error) { return enc(resp.(Out)), nil },
		grpckit.ServerOptions()...)
}

func (s *grpcServer) PutCourse(ctx context.Context, req *trainingv1.PutCourseRequest) (*trainingv1.PutCourseResponse, error) {
	return grpckit.Serve[*trainingv1.PutCourseResponse](ctx, s.putCourse, req)
}

func (s *grpcServer) GetCourse(ctx context.Context, req *trainingv1.GetCourseRequest) (*trainingv1.GetCourseResponse, error) {
	return grpckit.Serve[*trainingv1.GetCourseResponse](ctx, s.getCourse, req)
}

func (s *grpcServer) CreateEdition(ctx context.Context, req *trainingv1.CreateEditionRequest) (*trainingv1.CreateEditionResponse, error) {
	return grpckit.Serve[*trainingv1.CreateEditionResponse](ctx, s.createEdition, req)
}

func (s *grpcServer) GetEdition(ctx context.Context, req *trainingv1.GetEditionRequest) (*trainingv1.GetEditionResponse, error) {
	return grpckit.Serve[*trainingv1.GetEditionResponse](ctx, s.getEdition, req)
}

func (s *grpcServer) ListEditions(ctx context.Context, req *trainingv1.ListEditionsRequest) (*trainingv1.ListEditionsResponse, error) {
	return grpckit.Serve[*trainingv1.ListEditionsResponse](ctx, s.listEditions, req)
}

func (s *grpcServer) Enrol(ctx context.Context, req *trainingv1.EnrolRequest) (*trainingv1.EnrolResponse, error) {
	return grpckit.Serve[*trainingv1.EnrolResponse](ctx, s.enrol, req)
}

func (s *grpcServer) Suspend(ctx context.Context, req *trainingv1.SuspendRequest) (*trainingv1.SuspendResponse, error) {
	return grpckit.Serve[*trainingv1.SuspendResponse](ctx, s.suspend, req)
}

func (s *grpcServer) Resume(ctx context.Context, req *trainingv1.ResumeRequest) (*trainingv1.ResumeResponse, error) {
	return grpckit.Serve[*trainingv1.ResumeResponse](ctx, s.resume, req)
}

func (s *grpcServer) Withdraw(ctx context.Context, req *trainingv1.WithdrawRequest) (*trainingv1.WithdrawResponse, error) {
	return grpckit.Serve[*trainingv1.WithdrawResponse](ctx, s.withdraw, req)
}

func (s *grpcServer) PlaceIntern(ctx context.Context, req *trainingv1.PlaceInternRequest) (*trainingv1.PlaceInternResponse, error) {
	return grpckit.Serve[*trainingv1.PlaceInternResponse](ctx, s.placeIntern, req)
}

func (s *grpcServer) RecordInternshipHours(ctx context.Context, req *trainingv1.RecordInternshipHoursRequest) (*trainingv1.RecordInternshipHoursResponse, error) {
	return grpckit.Serve[*trainingv1.RecordInternshipHoursResponse](ctx, s.recordHours, req)
}

func (s *grpcServer) EvaluateInternship(ctx context.Context, req *trainingv1.EvaluateInternshipRequest) (*trainingv1.EvaluateInternshipResponse, error) {
	return grpckit.Serve[*trainingv1.EvaluateInternshipResponse](ctx, s.evaluate, req)
}

func (s *grpcServer) CloseModule(ctx context.Context, req *trainingv1.CloseModuleRequest) (*trainingv1.CloseModuleResponse, error) {
	return grpckit.Serve[*trainingv1.CloseModuleResponse](ctx, s.closeModule, req)
}

func (s *grpcServer) RecordExam(ctx context.Context, req *trainingv1.RecordExamRequest) (*trainingv1.RecordExamResponse, error) {
	return grpckit.Serve[*trainingv1.RecordExamResponse](ctx, s.recordExam, req)
}

func (s *grpcServer) GetLesson(ctx context.Context, req *trainingv1.GetLessonRequest) (*trainingv1.GetLessonResponse, error) {
	return grpckit.Serve[*trainingv1.GetLessonResponse](ctx, s.getLesson, req)
}

func (s *grpcServer) AddLesson(ctx context.Context, req *trainingv1.AddLessonRequest) (*trainingv1.AddLessonResponse, error) {
	return grpckit.Serve[*trainingv1.AddLessonResponse](ctx, s.addLesson, req)
}

func (s *grpcServer) CancelLesson(ctx context.Context, req *trainingv1.CancelLessonRequest) (*trainingv1.CancelLessonResponse, error) {
	return grpckit.Serve[*trainingv1.CancelLessonResponse](ctx, s.cancelLesson, req)
}

func (s *grpcServer) MoveLesson(ctx context.Context, req *trainingv1.MoveLessonRequest) (*trainingv1.MoveLessonResponse, error) {
	return grpckit.Serve[*trainingv1.MoveLessonResponse](ctx, s.moveLesson, req)
}

func (s *grpcServer) RecordRegister(ctx context.Context, req *trainingv1.RecordRegisterRequest) (*trainingv1.RecordRegisterResponse, error) {
	return grpckit.Serve[*trainingv1.RecordRegisterResponse](ctx, s.recordRegister, req)
}

func (s *grpcServer) CorrectRegister(ctx context.Context, req *trainingv1.CorrectRegisterRequest) (*trainingv1.CorrectRegisterResponse, error) {
	return grpckit.Serve[*trainingv1.CorrectRegisterResponse](ctx, s.correctRegister, req)
}

// timeOf reads an optional timestamp: unset is the zero time, which the
// use cases refuse as missing where one is required.
func timeOf(field string, ts *timestamppb.Timestamp) (time.Time, error) {
	if ts == nil {
		return time.Time{}, nil
	}
	if err := ts.CheckValid(); err != nil {
		return time.Time{}, errcode.New(errcode.Invalid, field, "is not a valid time")
	}
	return ts.AsTime(), nil
}

// optTimestamp is the zero time as unset.
func optTimestamp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func decodeGRPCPutCourse(r *trainingv1.PutCourseRequest) (any, error) {
	c := r.GetCourse()
	if c == nil {
		return nil, errcode.New(errcode.Invalid, "course", "is required")
	}
	j := CourseJSON{
		ID: c.Id, Title: c.Title, RepertoireCode: c.RepertoireCode, Region: c.Region, Sector: c.Sector, Provider: c.Provider,
		EQFLevel: int(c.EqfLevel), ESCOOccupation: c.EscoOccupation, MinAttendanceBP: int(c.MinAttendanceBp),
	}
	for _, m := range c.Modules {
		// An unknown kind stays empty: the course check names the field.
		j.Modules = append(j.Modules, ModuleJSON{ID: m.Id, Title: m.Title, Kind: string(moduleKindOf(m.Kind)), Hours: int(m.Hours)})
	}
	for _, u := range c.Units {
		j.Units = append(j.Units, UnitJSON{Code: u.Code, Title: u.Title, ESCOSkills: u.EscoSkills})
	}
	return PutCourseRequest{Course: j}, nil
}

func moduleKindOf(k trainingv1.ModuleKind) domain.ModuleKind {
	switch k {
	case trainingv1.ModuleKind_MODULE_KIND_THEORY:
		return domain.Theory
	case trainingv1.ModuleKind_MODULE_KIND_PRACTICE:
		return domain.Practice
	case trainingv1.ModuleKind_MODULE_KIND_INTERNSHIP:
		return domain.Internship
	}
	return ""
}

func decodeGRPCCreateEdition(r *trainingv1.CreateEditionRequest) (any, error) {
	in := NewEdition{ID: r.Id, CourseID: r.CourseId, Trainers: r.Trainers, Lessons: make([]domain.Lesson, len(r.Lessons))}
	var err error
	if in.Start, err = timeOf("start", r.Start); err != nil {
		return nil, err
	}
	if in.End, err = timeOf("end", r.End); err != nil {
		return nil, err
	}
	for i, l := range r.Lessons {
		start, err := timeOf(fmt.Sprintf("lessons[%d].start", i), l.Start)
		if err != nil {
			return nil, err
		}
		in.Lessons[i] = domain.Lesson{ID: l.Id, ModuleID: l.ModuleId, Start: start, Minutes: int(l.Minutes)}
	}
	return CreateEditionRequest{Edition: in}, nil
}

func decodeGRPCRecordHours(r *trainingv1.RecordInternshipHoursRequest) (any, error) {
	day, err := endpointkit.Date("day", r.Day, nil)
	if err != nil {
		return nil, err
	}
	return RecordHoursRequest{EditionID: r.EditionId, Person: r.Person, Day: day, Minutes: int(r.Minutes)}, nil
}

func decodeGRPCRecordExam(r *trainingv1.RecordExamRequest) (any, error) {
	heldOn, err := endpointkit.Date("held_on", r.HeldOn, nil)
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

func decodeGRPCWithdraw(r *trainingv1.WithdrawRequest) (any, error) {
	reason := ""
	for _, wr := range domain.WithdrawReasons {
		if withdrawReason(wr) == r.Reason {
			reason = string(wr)
		}
	}
	return WithdrawRequest{EditionID: r.EditionId, Person: r.Person, Reason: reason, Note: r.Note, UnitsCertified: r.UnitsCertified}, nil
}

func decodeGRPCAddLesson(r *trainingv1.AddLessonRequest) (any, error) {
	start, err := timeOf("start", r.Start)
	if err != nil {
		return nil, err
	}
	return AddLessonRequest{EditionID: r.EditionId, Lesson: domain.Lesson{ID: r.Id, ModuleID: r.ModuleId, Start: start, Minutes: int(r.Minutes)}}, nil
}

func decodeGRPCMoveLesson(r *trainingv1.MoveLessonRequest) (any, error) {
	start, err := timeOf("start", r.Start)
	if err != nil {
		return nil, err
	}
	return MoveLessonRequest{LessonID: r.LessonId, Start: start, Minutes: int(r.Minutes)}, nil
}

func decodeGRPCRecordRegister(r *trainingv1.RecordRegisterRequest) (any, error) {
	marks, err := registerpb.Marks(r.Marks)
	if err != nil {
		return nil, err
	}
	return RecordRegisterRequest{LessonID: r.LessonId, Marks: marks}, nil
}

func decodeGRPCCorrectRegister(r *trainingv1.CorrectRegisterRequest) (any, error) {
	marks, err := registerpb.Marks(r.Marks)
	if err != nil {
		return nil, err
	}
	return CorrectRegisterRequest{LessonID: r.LessonId, Reason: r.Reason, Marks: marks}, nil
}

func encodeGRPCRecordRegister(r RegisterResponse) *trainingv1.RecordRegisterResponse {
	return &trainingv1.RecordRegisterResponse{LessonId: r.Register.LessonID, EditionId: r.Register.EditionID, Marks: grpcMarks(r.Register.Marks), Created: r.created}
}

func encodeGRPCGetEdition(r EditionViewResponse) *trainingv1.GetEditionResponse {
	out := &trainingv1.GetEditionResponse{Edition: grpcEdition(r.Edition), Course: grpcCourse(r.Course)}
	for _, l := range r.Lessons {
		out.Lessons = append(out.Lessons, grpcLesson(l))
	}
	return out
}

func encodeGRPCGetLesson(r LessonResponse) *trainingv1.GetLessonResponse {
	out := &trainingv1.GetLessonResponse{Lesson: grpcLesson(r.Lesson)}
	for _, en := range r.Roster {
		out.Roster = append(out.Roster, grpcEnrolment(en))
	}
	if r.Register != nil {
		out.Register = grpcRegister(*r.Register)
	}
	return out
}

func grpcCourse(c CourseJSON) *trainingv1.Course {
	out := &trainingv1.Course{
		Id: c.ID, Title: c.Title, RepertoireCode: c.RepertoireCode, Region: c.Region, Sector: c.Sector, Provider: c.Provider,
		EqfLevel: uint32(c.EQFLevel), EscoOccupation: c.ESCOOccupation, MinAttendanceBp: uint32(c.MinAttendanceBP),
	}
	for _, m := range c.Modules {
		out.Modules = append(out.Modules, &trainingv1.Module{Id: m.ID, Title: m.Title, Kind: moduleKind(domain.ModuleKind(m.Kind)), Hours: uint32(m.Hours)})
	}
	for _, u := range c.Units {
		out.Units = append(out.Units, &trainingv1.Unit{Code: u.Code, Title: u.Title, EscoSkills: u.ESCOSkills})
	}
	return out
}

func grpcEdition(e EditionJSON) *trainingv1.Edition {
	out := &trainingv1.Edition{
		Id: e.ID, CourseId: e.CourseID, ClosedModules: e.ClosedModules, Organisation: e.Organisation, Trainers: e.Trainers,
		Start: optTimestamp(e.Start), End: optTimestamp(e.End),
	}
	for _, en := range e.Roster {
		out.Roster = append(out.Roster, grpcEnrolment(en))
	}
	return out
}

func grpcEnrolment(en EnrolmentJSON) *trainingv1.Enrolment {
	out := &trainingv1.Enrolment{
		Person: en.Person, DisplayName: en.DisplayName, Status: en.Status, Qualified: en.Qualified, CertifiedUnits: en.CertifiedUnits,
		EnrolledAt: optTimestamp(en.EnrolledAt), Reason: withdrawReason(domain.WithdrawReason(en.Reason)), Note: en.Note,
	}
	for _, m := range en.Modules {
		out.Modules = append(out.Modules, &trainingv1.ModuleResult{
			ModuleId: m.ModuleID, MinutesPlanned: uint32(m.MinutesPlanned), MinutesAttended: uint32(m.MinutesAttended), Reached: m.Reached,
		})
	}
	if p := en.Internship; p != nil {
		out.InternshipMinutes = uint32(p.MinutesDone)
		out.Internship = &trainingv1.Internship{
			ModuleId: p.ModuleID, HostId: p.HostID, HostName: p.HostName, Tutor: p.Tutor,
			PlannedHours: uint32(p.PlannedHours), MinutesDone: uint32(p.MinutesDone),
		}
		for _, d := range p.Days {
			out.Internship.Days = append(out.Internship.Days, &trainingv1.InternshipDay{Day: d.Day, Minutes: uint32(d.Minutes)})
		}
		if ev := p.Evaluation; ev != nil {
			out.Internship.Evaluation = &trainingv1.InternshipEvaluation{Rating: uint32(ev.Rating), Note: ev.Note, By: ev.By, At: optTimestamp(ev.At)}
		}
	}
	if x := en.Exam; x != nil {
		out.Exam = &trainingv1.Exam{HeldOn: x.HeldOn.Format(time.DateOnly), Outcome: examOutcome(domain.ExamOutcome(x.Outcome)), Score: uint32(x.Score), UnitsPassed: x.UnitsPassed}
	}
	if en.MinutesAttended != nil {
		minutes := uint32(*en.MinutesAttended)
		out.MinutesAttended = &minutes
	}
	out.Admitted = en.Admitted
	return out
}

func grpcLesson(l LessonJSON) *trainingv1.Lesson {
	return &trainingv1.Lesson{
		Id: l.ID, EditionId: l.EditionID, ModuleId: l.ModuleID, Start: optTimestamp(l.Start), Minutes: uint32(l.Minutes),
		Cancelled: l.Cancelled, Recorded: l.Recorded, Extra: l.Extra,
	}
}

func grpcMarks(ms []registerjson.Mark) []*trainingv1.Mark {
	out := make([]*trainingv1.Mark, len(ms))
	for i, m := range ms {
		out[i] = grpcMark(m)
	}
	return out
}

func grpcMark(m registerjson.Mark) *trainingv1.Mark {
	return &trainingv1.Mark{Person: m.Person, DisplayName: m.DisplayName, Status: registerpb.Status(register.Status(m.Status)), Minutes: uint32(m.Minutes)}
}

func grpcRegister(r RegisterJSON) *trainingv1.Register {
	out := &trainingv1.Register{
		LessonId: r.LessonID, EditionId: r.EditionID, ModuleId: r.ModuleID, RecordedBy: r.RecordedBy,
		RecordedAt: optTimestamp(r.RecordedAt), Marks: grpcMarks(r.Marks), Revision: uint32(r.Revision),
	}
	for _, c := range r.Corrections {
		out.Corrections = append(out.Corrections, &trainingv1.Correction{
			Person: c.Person, From: grpcMark(c.From), To: grpcMark(c.To), By: c.By, At: optTimestamp(c.At), Reason: c.Reason,
		})
	}
	return out
}
