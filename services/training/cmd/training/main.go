// Command training runs the training service against the Kafka and MongoDB
// named in its environment (see process.Config), with its HTTP JSON API on
// HTTP_ADDR and the same endpoints over gRPC on GRPC_ADDR.
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
	"github.com/percorsi/percorsi/services/training"
)

func main() {
	log := slog.New(tracectx.LogHandler(slog.NewJSONHandler(os.Stderr, nil)))
	if err := run(log); err != nil {
		log.Error("training stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	shutdown, err := tracectx.Setup(ctx, "training")
	if err != nil {
		return err
	}
	defer func() { _ = shutdown(context.WithoutCancel(ctx)) }()
	cfg, err := env.ParseAs[process.Config]()
	if err != nil {
		return err
	}
	app, err := training.Open(ctx, cfg, log)
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
