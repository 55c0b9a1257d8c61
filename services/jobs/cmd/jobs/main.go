// Command jobs runs the jobs service against the Kafka and MongoDB named
// in its environment (see process.Config), with its policies:
// JOBS_CONFIRM_AFTER, JOBS_LINK_TTL, JOBS_MIN_ALLOWANCE_CENTS,
// JOBS_DEFAULT_COMMUTE_KM.
package main

import (
	"context"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/pkg/tracectx"
	"github.com/percorsi/percorsi/services/jobs"
)

type config struct {
	process.Config
	ConfirmAfter      time.Duration `env:"JOBS_CONFIRM_AFTER" envDefault:"168h"`
	LinkTTL           time.Duration `env:"JOBS_LINK_TTL" envDefault:"336h"`
	MinAllowanceCents int           `env:"JOBS_MIN_ALLOWANCE_CENTS" envDefault:"50000"`
	DefaultCommuteKm  int           `env:"JOBS_DEFAULT_COMMUTE_KM" envDefault:"30"`
}

func main() {
	log := slog.New(tracectx.LogHandler(slog.NewJSONHandler(os.Stderr, nil)))
	if err := run(log); err != nil {
		log.Error("jobs stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	shutdown, err := tracectx.Setup(ctx, "jobs")
	if err != nil {
		return err
	}
	defer func() { _ = shutdown(context.WithoutCancel(ctx)) }()
	cfg, err := env.ParseAs[config]()
	if err != nil {
		return err
	}
	policy := jobs.DefaultConfig
	policy.ConfirmAfter, policy.LinkTTL, policy.MinAllowanceCents = cfg.ConfirmAfter, cfg.LinkTTL, cfg.MinAllowanceCents
	policy.Match.DefaultCommuteKm = cfg.DefaultCommuteKm
	app, err := jobs.Open(ctx, cfg.Config, policy, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	gln, err := net.Listen("tcp", cfg.GRPCAddr)
	if err != nil {
		return err
	}
	app.ServeGRPC(gln, app.GRPC)
	return app.Run(ctx, ln, app.API)
}
