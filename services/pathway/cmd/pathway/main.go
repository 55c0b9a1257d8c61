// Command pathway runs the pathway service against the Kafka and MongoDB
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
	"github.com/percorsi/percorsi/services/pathway"
)

func main() {
	log := slog.New(tracectx.LogHandler(slog.NewJSONHandler(os.Stderr, nil)))
	if err := run(log); err != nil {
		log.Error("pathway stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := env.ParseAs[process.Config]()
	if err != nil {
		return err
	}
	pcfg, err := env.ParseAs[pathway.Config]()
	if err != nil {
		return err
	}
	app, err := pathway.Open(ctx, cfg, pcfg, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	return app.Run(ctx, ln, app.API)
}
