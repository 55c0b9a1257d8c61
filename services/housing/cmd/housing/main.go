// Command housing runs the housing service against the Kafka and MongoDB
// named in its environment (see process.Config).
package main

import (
	"context"
	"log/slog"

	"github.com/caarlos0/env/v11"

	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/housing"
)

type config struct {
	process.Config
	// Share of a person's income, in percent, that offer matching lets go
	// to rent.
	RentSharePercent int `env:"HOUSING_RENT_SHARE_PERCENT" envDefault:"35"`
}

func main() { process.Command("housing", run) }

func run(ctx context.Context, log *slog.Logger) error {
	cfg, err := env.ParseAs[config]()
	if err != nil {
		return err
	}
	app, err := housing.Open(ctx, cfg.Config, cfg.RentSharePercent, log)
	if err != nil {
		return err
	}
	return app.Serve(ctx, cfg.Config, app.API, app.GRPC)
}
