package pathway

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/percorsi/percorsi/pkg/instrument"
	"github.com/percorsi/percorsi/pkg/kafkakit"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/pathway/store"
)

// Name of the service, in logs, metrics and its database's name.
const Name = "pathway"

// App is the pathway service assembled: stores, use cases, endpoints, the
// HTTP transport and the Kafka subscriber.
type App struct {
	*process.Process
	Service   *Service
	Endpoints Endpoints
	API       http.Handler
	Persons   *store.Persons
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
	persons := store.NewPersons(p.DB)
	svc := NewService(persons, store.NewTimeline(p.DB))
	endpoints := MakeEndpoints(svc, p.Verifier, p.Log, instrument.NewMetrics(p.Registry, Name))
	a := &App{Process: p, Service: svc, Endpoints: endpoints, API: NewHTTPHandler(endpoints), Persons: persons}
	metrics := p.Registry
	p.Go("subscriber", func(ctx context.Context) error {
		return a.subscriber(metrics).Run(ctx)
	})
	return a, nil
}

// Subscriber returns a new consumer of the topics pathway follows, for
// tests that stop and restart it; its metrics are not registered.
func (a *App) Subscriber() *kafkakit.Subscriber { return a.subscriber(nil) }

func (a *App) subscriber(metrics prometheus.Registerer) *kafkakit.Subscriber {
	return kafkakit.New(kafkakit.Config{
		Name:       "pathway-timeline",
		Reader:     kafkakit.NewReader(a.Brokers, ConsumerGroup, CoursesTopic),
		DeadLetter: a.Writer,
		DeadTopic:  DeadLetterTopic,
		Logger:     a.Log,
		Metrics:    metrics,
	}, a.Endpoints.Record, DecodeEvent)
}
