package pathway_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/percorsi/percorsi/pkg/endpointtest"
	"github.com/percorsi/percorsi/pkg/grpckit/grpckittest"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
	"github.com/percorsi/percorsi/services/pathway"
)

// FuzzGRPCDecoders fuzzes the decoder of every RPC the gRPC server
// registers, from the request messages' bytes.
func FuzzGRPCDecoders(f *testing.F) {
	c := endpointtest.NewCapture[pathway.Endpoints]()
	grpckittest.FuzzServer(f, c, pathway.NewGRPCServer(c.Endpoints),
		&pathwayv1.IntakeRequest{DisplayName: "A", Programme: "art18", Referral: "police", Personal: &pathwayv1.PersonalData{LegalName: "x", Documents: []*pathwayv1.Document{{Kind: "passport"}}}},
		&pathwayv1.UpdatePlanRequest{Pseudonym: "ps-1", Goals: []*pathwayv1.Goal{{Domain: "work", Title: "t", Target: "2027-01-01", FollowBy: "cw", Status: "open"}}},
		&pathwayv1.RecordConsentRequest{Pseudonym: "ps-1", Scope: "data_processing", Given: proto.Bool(true)},
		&pathwayv1.DecideTransferRequest{Pseudonym: "ps-1", TransferId: "t1", Accept: true, CaseWorker: "cw"},
		&pathwayv1.MonitoringRequest{By: "territory", From: "2026-01-01", To: "2026-02-01"},
	)
}
