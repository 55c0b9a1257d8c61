package housing

import (
	"google.golang.org/grpc"

	"github.com/percorsi/percorsi/pkg/grpckit"
	housingv1 "github.com/percorsi/percorsi/proto/percorsi/housing/v1"
)

// NewGRPCServer serves the endpoints of the HTTP API over gRPC; the steps
// export comes as messages rather than CSV.
func NewGRPCServer(e Endpoints) *grpc.Server {
	return grpckit.NewServer(housingv1.File_percorsi_housing_v1_housing_service_proto.Services().Get(0),
		grpckit.Unary[AccommodationRequest]("CreateAccommodation", e.CreateAccommodation),
		grpckit.Unary[struct{}]("ListAccommodations", e.ListAccommodations),
		grpckit.Unary[IDRequest]("GetAccommodation", e.GetAccommodation),
		grpckit.Unary[FilterRequest]("Board", e.Board),
		grpckit.Unary[struct{}]("Indicators", e.Indicators),
		grpckit.Unary[StepRequest]("StartStep", e.StartStep),
		grpckit.Unary[MoveRequest]("MoveStep", e.MoveStep),
		grpckit.Unary[EndStepRequest]("EndStep", e.EndStep),
		grpckit.Unary[IDRequest]("PersonHousing", e.Person),
		grpckit.Unary[ProfileRequest]("PutProfile", e.PutProfile),
		grpckit.Unary[MatchesRequest]("OfferMatches", e.Matches),
		grpckit.Unary[RentSupportRequest]("GrantRentSupport", e.GrantRentSupport),
		grpckit.Unary[PaymentRequest]("PayRentSupport", e.PayRentSupport),
		grpckit.Unary[EndRentSupportRequest]("EndRentSupport", e.EndRentSupport),
		grpckit.Unary[OfferRequest]("CreateOffer", e.CreateOffer),
		grpckit.Unary[FilterRequest]("ListOffers", e.ListOffers),
		grpckit.Unary[ProposeRequest]("ProposeOffer", e.Propose),
		grpckit.Unary[DecideRequest]("DecideProposal", e.Decide),
		grpckit.Unary[LeaseRequest]("SignLease", e.SignLease),
		grpckit.Unary[struct{}]("ExportSteps", e.ExportSteps),
	)
}
