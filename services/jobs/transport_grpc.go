package jobs

import (
	"google.golang.org/grpc"

	"github.com/percorsi/percorsi/pkg/grpckit"
	jobsv1 "github.com/percorsi/percorsi/proto/percorsi/jobs/v1"
)

// NewGRPCServer serves the endpoints of the HTTP API over gRPC; the
// broker's facts (ApplyFact) come by Kafka alone.
func NewGRPCServer(e Endpoints) *grpc.Server {
	return grpckit.NewServer(jobsv1.File_percorsi_jobs_v1_jobs_service_proto.Services().Get(0),
		grpckit.Unary[PutProfileRequest]("PutProfile", e.PutProfile),
		grpckit.Unary[ByIDRequest]("GetProfile", e.GetProfile),
		grpckit.Unary[ByIDRequest]("RankVacancies", e.RankVacancies),
		grpckit.Unary[EmployerJSON]("PutEmployer", e.PutEmployer),
		grpckit.Unary[PublishVacancyRequest]("PublishVacancy", e.PublishVacancy),
		grpckit.Unary[ByIDRequest]("GetVacancy", e.GetVacancy),
		grpckit.Unary[ByIDRequest]("ListVacancies", e.ListVacancies),
		grpckit.Unary[ByIDRequest]("CloseVacancy", e.CloseVacancy),
		grpckit.Unary[ByIDRequest]("RankCandidates", e.RankCandidates),
		grpckit.Unary[AssignRequest]("Assign", e.Assign),
		grpckit.Unary[ProposeRequest]("Propose", e.Propose),
		grpckit.Unary[ByIDRequest]("ListProposals", e.ListProposals),
		grpckit.Unary[InterviewRequest]("RecordInterview", e.RecordInterview),
		grpckit.Unary[StartPlacementRequest]("StartPlacement", e.StartPlacement),
		grpckit.Unary[IssueLinkRequest]("IssueLink", e.IssueLink),
		grpckit.Unary[ByIDRequest]("GetPlacement", e.GetPlacement),
		grpckit.Unary[ByIDRequest]("ListPlacements", e.ListPlacements),
		grpckit.Unary[EndPlacementRequest]("EndPlacement", e.EndPlacement),
		grpckit.Unary[FollowUpRequest]("FollowUp", e.FollowUp),
		grpckit.Unary[LinkViewRequest]("LinkView", e.LinkView),
		grpckit.Unary[ConfirmRequest]("ConfirmByLink", e.ConfirmByLink),
	)
}
