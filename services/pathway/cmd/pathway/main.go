// Command pathway runs the pathway service against the Kafka and MongoDB
// named in its environment (see process.Config and pathway.Config).
//
//	pathway          serve
//	pathway replay        rebuild the read models from the topics, then exit
//	pathway rotate-keys   rewrap every data key under the current master key
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/caarlos0/env/v11"

	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/pathway"
)

func main() { process.Command("pathway", run) }

func run(ctx context.Context, log *slog.Logger) error {
	args := os.Args[1:]
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
	switch {
	case len(args) == 0:
	case args[0] == "replay":
		n, err := app.Replay(ctx, bar)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return err
		}
		log.Info("replay done", "records", n)
		return nil
	case args[0] == "rotate-keys":
		n, err := app.Service.RotateKeys(ctx, bar)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return err
		}
		log.Info("keys rotated", "rewrapped", n)
		return nil
	default:
		return fmt.Errorf("unknown command %q: want no argument, replay or rotate-keys", args[0])
	}
	return app.Serve(ctx, cfg, app.API, app.GRPC)
}

// bar draws a long operation's progress on one terminal line.
func bar(done, total int64) {
	const width = 40
	filled := width
	pct := 100.0
	if total > 0 {
		filled = int(done * width / total)
		pct = float64(done) * 100 / float64(total)
	}
	fmt.Fprintf(os.Stderr, "\r[%s%s] %d/%d %.0f%%", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, total, pct)
}
