// Package process is what every Percorsi service process is made of, around
// its own use cases: the MongoDB database it owns, a Kafka writer, a
// Prometheus registry, the HTTP server with health, readiness and metrics,
// and the background workers (outbox relay, subscribers) run as one group
// that stops together.
package process

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/buildinfo"
	"github.com/percorsi/percorsi/pkg/health"
	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/pkg/kafkakit"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/tracectx"
)

// Config is what every service reads from its environment.
type Config struct {
	HTTPAddr string `env:"HTTP_ADDR" envDefault:":8080"`
	// AdminAddr is where /healthz, /readyz and /metrics are served when
	// set: a port the ingress does not route. Empty: beside the API.
	AdminAddr    string   `env:"ADMIN_ADDR"`
	GRPCAddr     string   `env:"GRPC_ADDR" envDefault:":9090"`
	MongoURI     string   `env:"MONGODB_URI,required"`
	Database     string   `env:"MONGODB_DATABASE"` // defaults to percorsi_<service>
	KafkaBrokers []string `env:"KAFKA_BROKERS,required" envSeparator:","`
	// SASL/SCRAM-SHA-512 credentials of the service's Kafka user; empty
	// for brokers without authentication (the embedded stack).
	KafkaUsername string `env:"KAFKA_USERNAME"`
	KafkaPassword string `env:"KAFKA_PASSWORD"`
	TokenKey      string `env:"TOKEN_KEY,required"` // HMAC key shared with the issuer, 32+ bytes
	// OIDC is an external provider whose tokens are accepted beside the
	// built-in issuer's; none when OIDC_ISSUER is empty.
	OIDC OIDCConfig
}

// OIDCConfig names an external OpenID Connect provider (the Region's, an
// organisation's) and the claims that carry the role and the organisation.
type OIDCConfig struct {
	Issuer    string `env:"OIDC_ISSUER"`
	ClientID  string `env:"OIDC_CLIENT_ID"` // the audience its tokens name
	RoleClaim string `env:"OIDC_ROLE_CLAIM" envDefault:"role"`
	OrgClaim  string `env:"OIDC_ORG_CLAIM" envDefault:"org"`
	// RoleMap maps the provider's values to roles: "value=role,...".
	RoleMap string `env:"OIDC_ROLE_MAP"`
}

// Provider is the provider cfg names, discovered on first use; nil when
// none is configured.
func (cfg OIDCConfig) Provider() (*auth.LazyOIDC, error) {
	if cfg.Issuer == "" {
		return nil, nil
	}
	roles, err := auth.ParseRoleMap(cfg.RoleMap)
	if err != nil {
		return nil, fmt.Errorf("OIDC_ROLE_MAP: %w", err)
	}
	p, err := auth.NewLazyOIDC(auth.OIDCConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, RoleClaim: cfg.RoleClaim, OrgClaim: cfg.OrgClaim, RoleMap: roles})
	if err != nil {
		return nil, fmt.Errorf("OIDC_ISSUER: %w", err)
	}
	return p, nil
}

// Process is one running service's shared parts.
type Process struct {
	Name     string
	Log      *slog.Logger
	Client   *mongo.Client
	DB       *mongo.Database
	Writer   *kafka.Writer
	Kafka    kafkakit.Cluster
	Brokers  []string // Kafka.Brokers
	Registry *prometheus.Registry
	// Tokens is the built-in issuer; Verifier accepts its tokens and, when
	// one is configured, those of the external provider.
	Tokens   *auth.HMAC
	Verifier auth.Verifier
	// Ready are the dependencies /readyz checks: MongoDB and Kafka unless
	// the service removes one it does not use before it serves.
	Ready map[string]health.Check

	adminAddr string
	workers   []worker
}

type worker struct {
	name string
	run  func(context.Context) error
}

// Open connects to the store and prepares the writer. The store need not be
// up yet: the driver connects lazily and readiness reports it.
func Open(ctx context.Context, name string, cfg Config, log *slog.Logger) (*Process, error) {
	if cfg.Database == "" {
		cfg.Database = "percorsi_" + name
	}
	tokens, err := auth.NewHMAC([]byte(cfg.TokenKey))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var verifier auth.Verifier = tokens
	provider, err := cfg.OIDC.Provider()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if provider != nil {
		verifier = auth.ByIssuer{tokens.Issuer(): tokens, provider.Issuer(): provider}
	}
	cluster, err := kafkakit.NewCluster(cfg.KafkaBrokers, cfg.KafkaUsername, cfg.KafkaPassword)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	client, err := mongostore.Connect(ctx, cfg.MongoURI)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), buildinfo.Collector())
	log = log.With("service", name)
	log.Info("starting", "version", buildinfo.Version, "commit", buildinfo.Commit)
	return &Process{
		Name:      name,
		adminAddr: cfg.AdminAddr,
		Log:       log,
		Client:    client,
		DB:        client.Database(cfg.Database),
		Writer:    cluster.NewWriter(),
		Kafka:     cluster,
		Brokers:   cfg.KafkaBrokers,
		Registry:  reg,
		Tokens:    tokens,
		Verifier:  verifier,
		Ready:     map[string]health.Check{"mongodb": mongostore.Ping(client), "kafka": cluster.Ping},
	}, nil
}

// Go adds a background worker that runs with the server.
func (p *Process) Go(name string, run func(context.Context) error) {
	p.workers = append(p.workers, worker{name, run})
}

// ServeGRPC serves srv on ln beside the HTTP API, as a worker: it stops
// gracefully when Run stops.
func (p *Process) ServeGRPC(ln net.Listener, srv *grpc.Server) {
	p.Go("grpc", func(ctx context.Context) error {
		defer context.AfterFunc(ctx, srv.GracefulStop)()
		return srv.Serve(ln)
	})
}

// Handler returns api with the operational routes beside it.
func (p *Process) Handler(api http.Handler) http.Handler {
	mux := p.operations()
	mux.Handle("/", api)
	return mux
}

// operations are the routes of probes and scrapers.
func (p *Process) operations() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", health.Live)
	mux.Handle("GET /readyz", health.Ready(p.Ready))
	mux.Handle("GET /metrics", promhttp.HandlerFor(p.Registry, promhttp.HandlerOpts{}))
	return mux
}

// Run serves api on ln and runs the workers until ctx ends or one of them
// fails; then everything stops and the connections close.
func (p *Process) Run(ctx context.Context, ln net.Listener, api http.Handler) error {
	defer p.close(ctx)
	g, ctx := errgroup.WithContext(ctx)
	if p.adminAddr == "" {
		g.Go(func() error { return httpkit.Serve(ctx, ln, p.Handler(api)) })
	} else {
		admin, err := net.Listen("tcp", p.adminAddr)
		if err != nil {
			return fmt.Errorf("%s: ADMIN_ADDR: %w", p.Name, err)
		}
		g.Go(func() error { return httpkit.Serve(ctx, ln, api) })
		g.Go(func() error { return httpkit.Serve(ctx, admin, p.operations()) })
	}
	for _, w := range p.workers {
		g.Go(func() error {
			if err := w.run(ctx); err != nil {
				return fmt.Errorf("%s %s: %w", p.Name, w.name, err)
			}
			return nil
		})
	}
	p.Log.Info("serving", "addr", ln.Addr().String())
	err := g.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func (p *Process) close(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := p.Writer.Close(); err != nil {
		p.Log.Warn("closing kafka writer", "err", err)
	}
	if err := p.Client.Disconnect(ctx); err != nil {
		p.Log.Warn("closing mongodb client", "err", err)
	}
}

// Serve serves api on cfg.HTTPAddr and, when srv is not nil, srv on
// cfg.GRPCAddr, with the workers, until ctx ends (see Run).
func (p *Process) Serve(ctx context.Context, cfg Config, api http.Handler, srv *grpc.Server) error {
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("%s: HTTP_ADDR: %w", p.Name, err)
	}
	if srv != nil {
		gln, err := net.Listen("tcp", cfg.GRPCAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("%s: GRPC_ADDR: %w", p.Name, err)
		}
		p.ServeGRPC(gln, srv)
	}
	return p.Run(ctx, ln, api)
}

// Command is the main of service name's binary: JSON logs carrying trace
// ids, traces set up (tracectx.Setup), and run given a context that ends
// on SIGINT or SIGTERM. The process exits 1 when run fails.
func Command(name string, run func(ctx context.Context, log *slog.Logger) error) {
	log := slog.New(tracectx.LogHandler(slog.NewJSONHandler(os.Stderr, nil)))
	if err := command(name, log, run); err != nil {
		log.Error(name+" stopped", "err", err)
		os.Exit(1)
	}
}

func command(name string, log *slog.Logger, run func(context.Context, *slog.Logger) error) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	shutdown, err := tracectx.Setup(ctx, name)
	if err != nil {
		return err
	}
	defer func() { _ = shutdown(context.WithoutCancel(ctx)) }()
	return run(ctx, log)
}
