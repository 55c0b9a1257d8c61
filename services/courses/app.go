package courses

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"google.golang.org/grpc"

	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/instrument"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/courses/domain"
	"github.com/percorsi/percorsi/services/courses/store"
)

// Name of the service, in logs, metrics and its database's name.
const Name = "courses"

// App is the courses service assembled from the inside out: stores, use
// cases, endpoints, transports, and the relay that publishes its events.
type App struct {
	*process.Process
	Service   *Service
	Endpoints Endpoints
	Relay     *outbox.Relay
	API       http.Handler
	GRPC      *grpc.Server
	Classes   *store.Classes
	Lessons   *store.Lessons
}

// Open assembles the service with the default rules; Run starts it.
func Open(ctx context.Context, cfg process.Config, log *slog.Logger) (*App, error) {
	return OpenWith(ctx, cfg, domain.DefaultConfig(), time.Now, log)
}

// OpenWith assembles the service with the given rules and clock.
func OpenWith(ctx context.Context, cfg process.Config, rules domain.Config, now func() time.Time, log *slog.Logger) (*App, error) {
	p, err := process.Open(ctx, Name, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := mongostore.EnsureIndexes(ctx, p.DB, store.Indexes()...); err != nil {
		return nil, err
	}
	relay := outbox.NewRelay(p.Writer, outbox.RelayConfig{Logger: p.Log, Metrics: p.Registry, Name: Name}, store.OutboxSources(p.DB)...)
	classes, lessons := store.NewClasses(p.DB, relay.Notify), store.NewLessons(p.DB)
	assessments, certificates := store.NewAssessments(p.DB, relay.Notify)
	st := Stores{
		Courses: store.NewCourses(p.DB), Classes: classes, Lessons: lessons, Registers: store.NewRegisters(p.DB, relay.Notify),
		Assessments: assessments, Certificates: certificates,
	}
	svc := NewService(st, rules, now, events.NewID)
	endpoints := MakeEndpoints(svc, p.Verifier, p.Log, instrument.NewMetrics(p.Registry, Name))
	a := &App{
		Process: p, Service: svc, Endpoints: endpoints, Relay: relay, API: NewHTTPHandler(endpoints), GRPC: NewGRPCServer(endpoints),
		Classes: classes, Lessons: lessons,
	}
	p.Go("outbox relay", relay.Run)
	p.Go("missed counts", a.recountMissed)
	return a, nil
}

// recountMissed counts, once at start, the registers whose count was lost
// (see Service.RecountMissed), trying again a minute later while the store
// fails.
func (a *App) recountMissed(ctx context.Context) error {
	for {
		classes, err := a.Service.RecountMissed(ctx)
		switch {
		case err == nil:
			if len(classes) > 0 {
				a.Log.WarnContext(ctx, "recounted the figures of classes with uncounted registers", "classes", len(classes))
			}
			return nil
		case ctx.Err() == nil:
			a.Log.ErrorContext(ctx, "recounting uncounted registers", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Minute):
		}
	}
}
