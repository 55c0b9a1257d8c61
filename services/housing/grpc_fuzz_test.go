package housing_test

import (
	"testing"

	"github.com/percorsi/percorsi/pkg/endpointtest"
	"github.com/percorsi/percorsi/pkg/grpckit/grpckittest"
	housingv1 "github.com/percorsi/percorsi/proto/percorsi/housing/v1"
	"github.com/percorsi/percorsi/services/housing"
)

// FuzzGRPCDecoders fuzzes the decoder of every RPC the gRPC server
// registers, from the request messages' bytes.
func FuzzGRPCDecoders(f *testing.F) {
	c := endpointtest.NewCapture[housing.Endpoints]()
	grpckittest.FuzzServer(f, c, housing.NewGRPCServer(c.Endpoints),
		&housingv1.StartStepRequest{Id: "s1", Person: "ps-1", Kind: "protected_shelter", AccommodationId: "a", Start: "2026-01-01"},
		&housingv1.CreateAccommodationRequest{Name: "n", Kind: "host_family", Territory: "RM", Address: "via x", Capacity: 2},
		&housingv1.GrantRentSupportRequest{Person: "ps-1", MonthlyAmountCents: 1 << 40, Months: 6, Start: "2026-01-01"},
		&housingv1.OfferMatchesRequest{Person: "ps-1", Lang: "en"},
	)
}
