package pathway

import (
	"google.golang.org/grpc"

	"github.com/percorsi/percorsi/pkg/grpckit"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
)

// NewGRPCServer serves the endpoints of the HTTP API over gRPC, the
// monitoring indicators as JSON only; the other services' events (Record)
// come by Kafka alone.
func NewGRPCServer(e Endpoints) *grpc.Server {
	return grpckit.NewServer(pathwayv1.File_percorsi_pathway_v1_pathway_service_proto.Services().Get(0),
		grpckit.Unary[struct{}]("Caseload", e.Caseload),
		grpckit.Unary[IntakeJSON]("Intake", e.Intake),
		grpckit.Unary[PseudonymRequest]("GetPerson", e.Person),
		grpckit.Unary[LocalizedRequest]("Timeline", e.Timeline),
		grpckit.Unary[PersonalRequest]("ReadPersonal", e.Personal),
		grpckit.Unary[ReasonRequest]("ErasePersonal", e.Erase),
		grpckit.Unary[PseudonymRequest]("Audit", e.Audit),
		grpckit.Unary[ConsentRequest]("RecordConsent", e.Consent),
		grpckit.Unary[PermitRequest]("RecordPermit", e.Permit),
		grpckit.Unary[LocalizedRequest]("Legal", e.Legal),
		grpckit.Unary[PlanRequest]("UpdatePlan", e.Plan),
		grpckit.Unary[LocalizedRequest]("Autonomy", e.Autonomy),
		grpckit.Unary[PseudonymRequest]("ListAlerts", e.Alerts),
		grpckit.Unary[AlertActionRequest]("AlertAction", e.AlertAction),
		grpckit.Unary[TransferRequest]("RequestTransfer", e.TransferRequest),
		grpckit.Unary[TransferDecision]("DecideTransfer", e.TransferDecision),
		grpckit.Unary[struct{}]("IncomingTransfers", e.IncomingTransfers),
		grpckit.Unary[CloseRequest]("ClosePathway", e.Close),
		grpckit.Unary[MonitoringRequest]("Monitoring", e.Monitoring),
	)
}
