package housing

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"google.golang.org/grpc"

	"github.com/percorsi/percorsi/pkg/instrument"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/housing/store"
)

// Name of the service, in logs, metrics and its database's name.
const Name = "housing"

// App is the housing service assembled from the inside out: stores, use
// cases, endpoints, the HTTP and gRPC transports, and the relay that
// publishes its events.
type App struct {
	*process.Process
	Service *Service
	Relay   *outbox.Relay
	API     http.Handler
	GRPC    *grpc.Server
}

// Open assembles the service; Run starts it. rentSharePct is the share of
// income matching lets go to rent (DefaultRentShare when 0).
func Open(ctx context.Context, cfg process.Config, rentSharePct int, log *slog.Logger) (*App, error) {
	p, err := process.Open(ctx, Name, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := mongostore.EnsureIndexes(ctx, p.DB, store.Indexes()...); err != nil {
		return nil, err
	}
	relay := outbox.NewRelay(p.Writer, outbox.RelayConfig{Logger: p.Log, Metrics: p.Registry, Name: Name}, store.OutboxSources(p.DB)...)
	svc := NewService(Stores{
		Accommodations: store.NewAccommodations(p.DB),
		Steps:          store.NewSteps(p.DB, relay.Notify),
		RentSupports:   store.NewRentSupports(p.DB, relay.Notify),
		Offers:         store.NewOffers(p.DB),
		Profiles:       store.NewProfiles(p.DB),
		Proposals:      store.NewProposals(p.DB, relay.Notify),
	}, rentSharePct, time.Now)
	endpoints := MakeEndpoints(svc, p.Verifier, p.Log, instrument.NewMetrics(p.Registry, Name))
	p.Go("outbox relay", relay.Run)
	return &App{Process: p, Service: svc, Relay: relay, API: NewHTTPHandler(endpoints), GRPC: NewGRPCServer(endpoints)}, nil
}
