// Command housing runs the housing service against the Kafka and MongoDB
// named in its environment (see process.Config).
package main

import (
	"context"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/caarlos0/env/v11"

	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/pkg/tracectx"
	"github.com/percorsi/percorsi/services/housing"
)

type config struct {
	process.Config
	// Share of a person's income, in percent, that offer matching lets go
	// to rent.
	RentSharePercent int `env:"HOUSING_RENT_SHARE_PERCENT" envDefault:"35"`
}

func main() {
	log := slog.New(tracectx.LogHandler(slog.NewJSONHandler(os.Stderr, nil)))
	if err := run(log); err != nil {
		log.Error("housing stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	shutdown, err := tracectx.Setup(ctx, "housing")
	if err != nil {
		return err
	}
	defer func() { _ = shutdown(context.WithoutCancel(ctx)) }()
	cfg, err := env.ParseAs[config]()
	if err != nil {
		return err
	}
	app, err := housing.Open(ctx, cfg.Config, cfg.RentSharePercent, log)
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
