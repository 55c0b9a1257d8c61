package training

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
	"github.com/percorsi/percorsi/services/training/store"
)

// Name of the service, in logs, metrics and its database's name.
const Name = "training"

// App is the training service assembled from the inside out: stores, use
// cases, endpoints, transports, and the relay that publishes its events.
type App struct {
	*process.Process
	Service   *Service
	Endpoints Endpoints
	Relay     *outbox.Relay
	API       http.Handler
	GRPC      *grpc.Server // the same endpoints; the caller serves it
}

// Open assembles the service; Run starts it.
func Open(ctx context.Context, cfg process.Config, log *slog.Logger) (*App, error) {
	p, err := process.Open(ctx, Name, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := mongostore.EnsureIndexes(ctx, p.DB, store.Indexes()...); err != nil {
		return nil, err
	}
	relay := outbox.NewRelay(p.Writer, outbox.RelayConfig{Logger: p.Log, Metrics: p.Registry, Name: Name}, store.OutboxSources(p.DB)...)
	svc := NewService(store.NewCourses(p.DB), store.NewEditions(p.DB, relay.Notify), store.NewLessons(p.DB), store.NewRegisters(p.DB, relay.Notify), time.Now)
	endpoints := MakeEndpoints(svc, p.Verifier, p.Log, instrument.NewMetrics(p.Registry, Name))
	p.Go("outbox relay", relay.Run)
	return &App{Process: p, Service: svc, Endpoints: endpoints, Relay: relay, API: NewHTTPHandler(endpoints), GRPC: NewGRPCServer(endpoints)}, nil
}
