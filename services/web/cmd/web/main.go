// Command web serves Percorsi's pages against the services named in its
// environment (see web.Config).
package main

import (
	"context"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/caarlos0/env/v11"

	"github.com/percorsi/percorsi/pkg/tracectx"
	"github.com/percorsi/percorsi/services/web"
)

func main() {
	log := slog.New(tracectx.LogHandler(slog.NewJSONHandler(os.Stderr, nil)))
	if err := run(log); err != nil {
		log.Error("web stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	shutdown, err := tracectx.Setup(ctx, "web")
	if err != nil {
		return err
	}
	defer func() { _ = shutdown(context.WithoutCancel(ctx)) }()
	cfg, err := env.ParseAs[web.Config]()
	if err != nil {
		return err
	}
	app, err := web.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	return app.Run(ctx, ln, app.Pages)
}
