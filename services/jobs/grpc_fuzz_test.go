package jobs_test

import (
	"testing"

	"github.com/percorsi/percorsi/pkg/endpointtest"
	"github.com/percorsi/percorsi/pkg/grpckit/grpckittest"
	jobsv1 "github.com/percorsi/percorsi/proto/percorsi/jobs/v1"
	"github.com/percorsi/percorsi/services/jobs"
)

// FuzzGRPCDecoders fuzzes the decoder of every RPC the gRPC server
// registers, from the request messages' bytes.
func FuzzGRPCDecoders(f *testing.F) {
	c := endpointtest.NewCapture[jobs.Endpoints]()
	grpckittest.FuzzServer(f, c, jobs.NewGRPCServer(c.Endpoints),
		&jobsv1.PutProfileRequest{Person: "p", DisplayName: "A", Skills: []*jobsv1.Skill{{Code: "esco:x", Evidence: "assessed"}},
			Home: &jobsv1.Point{Lat: 41.9, Lon: 12.5}, AvailableFrom: "2027-03-01"},
		&jobsv1.RankVacanciesRequest{Id: "p", Limit: 20, Lang: "en"},
		&jobsv1.PutEmployerRequest{Id: "e", Name: "E", Sites: []*jobsv1.Site{{Id: "s1", Location: &jobsv1.Point{Lat: 1}}}},
		&jobsv1.ConfirmByLinkRequest{PlacementId: "pl", Token: "t", On: "2027-03-08", WeeklyHours: 30},
	)
}
