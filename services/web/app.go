// Package web is the pages Percorsi's users work in and the edge where they
// sign in. It keeps only accounts and sessions of its own; everything a page
// shows comes from the services through go-kit clients, each guarded
// by a timeout, retries and a circuit breaker, with the user's own signed
// token, so that every service checks role and scope itself.
package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"time"
	_ "time/tzdata" // lessons are shown in Rome's time wherever web runs

	"github.com/percorsi/percorsi/pkg/breaker"
	"github.com/percorsi/percorsi/pkg/instrument"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/web/clients"
	"github.com/percorsi/percorsi/services/web/signin"
	"github.com/percorsi/percorsi/services/web/store"
)

// Name of the service, in logs, metrics and its database's name.
const Name = "web"

// Config is what web reads from its environment.
type Config struct {
	process.Config
	// The services are called over gRPC, at host:port: named, not derived
	// from an HTTP address, as each deployment puts the port its own way
	// (9090 in a cluster, the HTTP port + 1000 in make run).
	CoursesGRPC   string        `env:"COURSES_GRPC,required"`
	TrainingGRPC  string        `env:"TRAINING_GRPC,required"`
	JobsGRPC      string        `env:"JOBS_GRPC,required"`
	HousingGRPC   string        `env:"HOUSING_GRPC,required"`
	PathwayGRPC   string        `env:"PATHWAY_GRPC,required"`
	SecureCookies bool          `env:"SECURE_COOKIES"` // TLS ends at a proxy in front of web
	SessionTTL    time.Duration `env:"SESSION_TTL" envDefault:"8h"`
	// TrustedProxies are the addresses (or ranges) of the proxies in front
	// of web, whose X-Forwarded-For names the client: the ingress.
	TrustedProxies []string `env:"TRUSTED_PROXIES" envSeparator:","`
	TimeZone       string   `env:"TIME_ZONE" envDefault:"Europe/Rome"`
	// Resilience of the calls to the services; zero means DefaultResilience.
	Resilience clients.Resilience
	// SignIn is the sign-in flow with Config.OIDC's provider, when one is
	// configured.
	SignIn signin.Config
}

// App is web assembled: its stores, the clients of the services and the
// pages.
type App struct {
	*process.Process
	Accounts *store.Accounts
	Sessions *store.Sessions
	Courses  *clients.Courses
	Pathway  *clients.Pathway
	Training *clients.Training
	Jobs     *clients.Jobs
	Housing  *clients.Housing
	Pages    http.Handler

	cfg       Config
	loc       *time.Location
	templates map[string]*template.Template
	proxies   []netip.Prefix
	byPair    *signin.Limiter
	byUser    *signin.Limiter
	byAddr    *signin.Limiter
	oidc      *signin.Provider // nil unless configured
}

//go:embed templates static
var assets embed.FS

// Open assembles web; Run starts it.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.Resilience == (clients.Resilience{}) {
		cfg.Resilience = clients.DefaultResilience
	}
	if cfg.TimeZone == "" {
		cfg.TimeZone = "Europe/Rome"
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("web: TIME_ZONE: %w", err)
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	oidcSignIn, err := signin.NewProvider(cfg.Config.OIDC, cfg.SignIn)
	if err != nil {
		return nil, err
	}
	p, err := process.Open(ctx, Name, cfg.Config, log)
	if err != nil {
		return nil, err
	}
	// web publishes and consumes nothing: Kafka being down must not take
	// the pages out of the load balancer.
	delete(p.Ready, "kafka")
	proxies, err := signin.ParseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	breakers, err := breaker.NewMetrics(p.Registry)
	if err != nil {
		return nil, fmt.Errorf("web: breaker metrics: %w", err)
	}
	metrics := instrument.NewMetrics(p.Registry, Name)
	conns := map[string]*clients.Conn{}
	for service, addr := range map[string]string{"courses": cfg.CoursesGRPC, "training": cfg.TrainingGRPC, "jobs": cfg.JobsGRPC, "housing": cfg.HousingGRPC, "pathway": cfg.PathwayGRPC} {
		if conns[service], err = clients.New(service, addr, cfg.Resilience, p.Log, metrics, breakers); err != nil {
			return nil, err
		}
	}
	p.Go("service connections", func(ctx context.Context) error {
		<-ctx.Done()
		for _, c := range conns {
			_ = c.Close() // stopping: nothing is waiting on them
		}
		return nil
	})
	a := &App{
		Process:  p,
		Accounts: store.NewAccounts(p.DB),
		Sessions: store.NewSessions(p.DB),
		Courses:  clients.NewCourses(conns["courses"]),
		Pathway:  clients.NewPathway(conns["pathway"]),
		Training: clients.NewTraining(conns["training"]),
		Jobs:     clients.NewJobs(conns["jobs"]),
		Housing:  clients.NewHousing(conns["housing"]),
		cfg:      cfg, loc: loc, templates: tmpl,
		// In fifteen minutes: five wrong passwords for a user name from one
		// address, thirty from one address, or twenty for a user name from
		// anywhere; then that key waits out the window. The last spares a
		// browser that signed in as the user before (signin.DeviceToken),
		// so that guesses from elsewhere do not lock the user out.
		proxies: proxies,
		byPair:  signin.NewLimiter(5, 15*time.Minute),
		byAddr:  signin.NewLimiter(30, 15*time.Minute),
		byUser:  signin.NewLimiter(20, 15*time.Minute),
		oidc:    oidcSignIn,
	}
	a.Pages = a.routes()
	p.Go("session sweep", a.sweepSessions)
	return a, nil
}

// sweepSessions removes expired sessions hourly: no TTL index is portable
// to the embedded store.
func (a *App) sweepSessions(ctx context.Context) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			if _, err := a.Sessions.Sweep(ctx, now); err != nil {
				a.Log.WarnContext(ctx, "sweeping expired sessions", "err", err)
			}
		}
	}
}
