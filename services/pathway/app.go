package pathway

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"

	"github.com/percorsi/percorsi/pkg/fieldcrypt"
	"github.com/percorsi/percorsi/pkg/instrument"
	"github.com/percorsi/percorsi/pkg/kafkakit"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/pathway/domain"
	"github.com/percorsi/percorsi/services/pathway/store"
)

// Name of the service, in logs, metrics and its database's name.
const Name = "pathway"

// Config is what pathway reads beyond process.Config.
type Config struct {
	// MasterKeys wrap the per-person data keys: "id:base64[,id:base64...]",
	// 32-byte keys, the first one current (see fieldcrypt.ParseKeyring).
	MasterKeys string `env:"PATHWAY_MASTER_KEYS,required"`
	// AlertEvery is how often the people whose facts arrived get their
	// alerts checked; SweepEvery how often everybody does (time-driven
	// alerts). Defaults: 2s and 1h.
	AlertEvery time.Duration `env:"PATHWAY_ALERT_EVERY" envDefault:"2s"`
	SweepEvery time.Duration `env:"PATHWAY_SWEEP_EVERY" envDefault:"1h"`
	// Rules of autonomy and alerts; zero: domain.DefaultRules.
	Rules *domain.Rules
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// App is the pathway service assembled: stores, use cases, endpoints, the
// HTTP and gRPC transports, the relay of its events and the Kafka
// subscriber.
type App struct {
	*process.Process
	Service   *Service
	Endpoints Endpoints
	API       http.Handler
	GRPC      *grpc.Server
	Relay     *outbox.Relay
	Persons   *store.Persons
	Timeline  *store.Timeline
}

// Open assembles the service; Run starts it.
func Open(ctx context.Context, pc process.Config, cfg Config, log *slog.Logger) (*App, error) {
	ring, err := fieldcrypt.ParseKeyring(cfg.MasterKeys)
	if err != nil {
		return nil, fmt.Errorf("%s: master keys: %w", Name, err)
	}
	rules := domain.DefaultRules()
	if cfg.Rules != nil {
		rules = *cfg.Rules
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AlertEvery <= 0 {
		cfg.AlertEvery = 2 * time.Second
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = time.Hour
	}
	p, err := process.Open(ctx, Name, pc, log)
	if err != nil {
		return nil, err
	}
	if err := mongostore.EnsureIndexes(ctx, p.DB, store.Indexes()...); err != nil {
		return nil, err
	}
	relay := outbox.NewRelay(p.Writer, outbox.RelayConfig{Logger: p.Log, Metrics: p.Registry, Name: Name}, store.OutboxSources(p.DB)...)
	persons, timeline := store.NewPersons(p.DB, relay.Notify), store.NewTimeline(p.DB)
	svc := NewService(Stores{Persons: persons, Timeline: timeline, Keys: store.NewKeys(p.DB), Audit: store.NewAudit(p.DB)}, ring, rules, cfg.Now)
	endpoints := MakeEndpoints(svc, p.Verifier, p.Log, instrument.NewMetrics(p.Registry, Name))
	a := &App{Process: p, Service: svc, Endpoints: endpoints, API: NewHTTPHandler(endpoints), GRPC: NewGRPCServer(endpoints), Relay: relay, Persons: persons, Timeline: timeline}
	metrics := p.Registry
	p.Go("outbox relay", relay.Run)
	p.Go("subscriber", func(ctx context.Context) error {
		return a.subscriber(metrics).Run(ctx)
	})
	p.Go("alerts", func(ctx context.Context) error { return a.alerts(ctx, cfg.AlertEvery, cfg.SweepEvery) })
	return a, nil
}

// alerts checks the people touched by new facts every `every`, and
// everybody every `sweep`. A failed pass is logged and tried again next
// time: alerts are late, never lost.
func (a *App) alerts(ctx context.Context, every, sweep time.Duration) error {
	tick, full := time.NewTicker(every), time.NewTicker(sweep)
	defer tick.Stop()
	defer full.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			err = a.Service.CheckTouched(ctx)
		case <-full.C:
			err = a.Service.Sweep(ctx)
		}
		if err != nil && ctx.Err() == nil {
			a.Log.WarnContext(ctx, "alert check failed; trying again later", "err", err)
		}
	}
}

// Subscriber returns a new consumer of the topics pathway follows, for
// tests that stop and restart it; its metrics are not registered.
func (a *App) Subscriber() *kafkakit.Subscriber { return a.subscriber(nil) }

func (a *App) subscriber(metrics prometheus.Registerer) *kafkakit.Subscriber {
	return kafkakit.New(kafkakit.Config{
		Name:       "pathway-timeline",
		Reader:     a.Kafka.NewReader(ConsumerGroup, Consumed...),
		DeadLetter: a.Writer,
		DeadTopic:  DeadLetterTopic,
		Logger:     a.Log,
		Metrics:    metrics,
	}, a.Endpoints.Record, DecodeEvent)
}
