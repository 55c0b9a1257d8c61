// Command training runs the training service against the Kafka and MongoDB
// named in its environment (see process.Config), with its HTTP JSON API on
// HTTP_ADDR and the same endpoints over gRPC on GRPC_ADDR.
package main

import (
	"context"
	"log/slog"

	"github.com/caarlos0/env/v11"

	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/training"
)

func main() { process.Command("training", run) }

func run(ctx context.Context, log *slog.Logger) error {
	cfg, err := env.ParseAs[process.Config]()
	if err != nil {
		return err
	}
	app, err := training.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	return app.Serve(ctx, cfg, app.API, app.GRPC)
}
