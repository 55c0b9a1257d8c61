// Command web serves Percorsi's pages against the services named in its
// environment (see web.Config).
package main

import (
	"context"
	"log/slog"

	"github.com/caarlos0/env/v11"

	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/web"
)

func main() { process.Command("web", run) }

func run(ctx context.Context, log *slog.Logger) error {
	cfg, err := env.ParseAs[web.Config]()
	if err != nil {
		return err
	}
	app, err := web.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	return app.Serve(ctx, cfg.Config, app.Pages, nil)
}
