// Command jobs runs the jobs service against the Kafka and MongoDB named
// in its environment (see process.Config), with its policies:
// JOBS_CONFIRM_AFTER, JOBS_LINK_TTL, JOBS_MIN_ALLOWANCE_CENTS,
// JOBS_DEFAULT_COMMUTE_KM.
package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/jobs"
)

type config struct {
	process.Config
	ConfirmAfter      time.Duration `env:"JOBS_CONFIRM_AFTER" envDefault:"168h"`
	LinkTTL           time.Duration `env:"JOBS_LINK_TTL" envDefault:"336h"`
	MinAllowanceCents int           `env:"JOBS_MIN_ALLOWANCE_CENTS" envDefault:"50000"`
	DefaultCommuteKm  int           `env:"JOBS_DEFAULT_COMMUTE_KM" envDefault:"30"`
}

func main() { process.Command("jobs", run) }

func run(ctx context.Context, log *slog.Logger) error {
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
	return app.Serve(ctx, cfg.Config, app.API, app.GRPC)
}
