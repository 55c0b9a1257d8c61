package jobs

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"

	"github.com/percorsi/percorsi/pkg/endpointkit"
	"github.com/percorsi/percorsi/pkg/instrument"
	"github.com/percorsi/percorsi/pkg/kafkakit"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/jobs/link"
	"github.com/percorsi/percorsi/services/jobs/store"
)

// Name of the service, in logs, metrics and its database's name.
const Name = "jobs"

// CheckEvery is how often unconfirmed placements are looked for.
const CheckEvery = time.Hour

// App is the jobs service assembled from the inside out: stores, use
// cases, endpoints, the HTTP and gRPC transports, the relay that publishes its
// events, the subscriber that keeps the facts of other services, and the
// check for placements the employer has not confirmed.
type App struct {
	*process.Process
	Service    *Service
	Endpoints  Endpoints
	Relay      *outbox.Relay
	API        http.Handler
	GRPC       *grpc.Server
	Placements *store.Placements
}

// Open assembles the service with the policies of cfg; Run starts it.
func Open(ctx context.Context, pc process.Config, cfg Config, log *slog.Logger) (*App, error) {
	p, err := process.Open(ctx, Name, pc, log)
	if err != nil {
		return nil, err
	}
	if err := mongostore.EnsureIndexes(ctx, p.DB, store.Indexes()...); err != nil {
		return nil, err
	}
	links, err := link.NewSigner([]byte(pc.TokenKey))
	if err != nil {
		return nil, err
	}
	relay := outbox.NewRelay(p.Writer, outbox.RelayConfig{Logger: p.Log, Metrics: p.Registry, Name: Name}, store.OutboxSources(p.DB)...)
	stores := store.New(p.DB, relay.Notify)
	svc := NewService(stores, links, cfg, func() string { return uuid.Must(uuid.NewV7()).String() })
	endpoints := MakeEndpoints(svc, endpointkit.Chain{Verifier: p.Verifier, Log: p.Log, Metrics: instrument.NewMetrics(p.Registry, Name)})
	a := &App{Process: p, Service: svc, Endpoints: endpoints, Relay: relay, API: NewHTTPHandler(endpoints), GRPC: NewGRPCServer(endpoints), Placements: stores.Placements}
	p.Go("outbox relay", relay.Run)
	metrics := p.Registry
	p.Go("subscriber", func(ctx context.Context) error { return a.subscriber(metrics).Run(ctx) })
	p.Go("unconfirmed placements", a.checkUnconfirmed)
	return a, nil
}

// Subscriber returns a new consumer of the topics jobs follows, for tests
// that run it themselves; its metrics are not registered.
func (a *App) Subscriber() *kafkakit.Subscriber { return a.subscriber(nil) }

func (a *App) subscriber(metrics prometheus.Registerer) *kafkakit.Subscriber {
	return kafkakit.New(kafkakit.Config{
		Name:       "jobs-profiles",
		Reader:     a.Kafka.NewReader(ConsumerGroup, CoursesTopic, TrainingTopic, PathwayTopic),
		DeadLetter: a.Writer,
		DeadTopic:  DeadLetterTopic,
		Logger:     a.Log,
		Metrics:    metrics,
	}, a.Endpoints.ApplyFact, DecodeEvent)
}

// checkUnconfirmed reports unconfirmed placements now and then every
// CheckEvery; a failed pass is logged and tried again at the next one.
func (a *App) checkUnconfirmed(ctx context.Context) error {
	t := time.NewTicker(CheckEvery)
	defer t.Stop()
	for {
		n, err := a.Service.ReportUnconfirmed(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			a.Log.ErrorContext(ctx, "reporting unconfirmed placements", "err", err)
		case n > 0:
			a.Log.InfoContext(ctx, "reported unconfirmed placements", "count", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
