// Command percorsi-load generates a national population, runs Percorsi on
// the embedded stack (each service in its own process), measures the raw
// limits of its parts, drives its users through the HTTP APIs for a while
// and writes a report: `make bench` runs it.
//
// With the argument "stack" it serves the embedded stack alone, for the
// run's stack process.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // lessons are on Rome's clock wherever this runs

	"github.com/percorsi/percorsi/e2e/load"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) == 3 && os.Args[1] == "stack" {
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		if err := load.ServeStack(ctx, os.Args[2], os.Stdout, log); err != nil {
			log.Error("stack stopped", "err", err)
			os.Exit(1)
		}
		return
	}
	cfg := load.Config{Size: load.DefaultSize, Users: load.DefaultUsers, Progress: progress}
	flag.IntVar(&cfg.Size.People, "people", cfg.Size.People, "people in pathways")
	flag.IntVar(&cfg.Size.Organisations, "organisations", cfg.Size.Organisations, "organisations in charge of them, one per territory (1-12)")
	flag.IntVar(&cfg.Size.Classes, "classes", cfg.Size.Classes, "CPIA classes")
	flag.DurationVar(&cfg.Duration, "duration", 5*time.Minute, "how long the users act, seeding excluded")
	flag.DurationVar(&cfg.Drain, "drain", 3*time.Minute, "how long to wait after the load for every acknowledged fact to reach the pathway")
	flag.IntVar(&cfg.Users.Teachers, "teachers", cfg.Users.Teachers, "teachers recording registers at once")
	flag.IntVar(&cfg.Users.CaseWorkers, "case-workers", cfg.Users.CaseWorkers, "case workers opening pathway pages at once")
	flag.IntVar(&cfg.Users.Counsellors, "counsellors", cfg.Users.Counsellors, "counsellors ranking and placing at once")
	flag.IntVar(&cfg.Users.Employers, "employers", cfg.Users.Employers, "employers confirming at once")
	flag.IntVar(&cfg.Users.HousingWorkers, "housing-workers", cfg.Users.HousingWorkers, "housing workers starting steps at once")
	flag.IntVar(&cfg.Users.Watchers, "watchers", cfg.Users.Watchers, "readers following acknowledged facts to the timelines (freshness)")
	flag.BoolVar(&cfg.InProcess, "in-process", false, "run every service in this process (memory and CPU measured together)")
	flag.StringVar(&cfg.Repo, "repo", ".", "the module's root, to build the services from")
	flag.StringVar(&cfg.Dir, "data", "var/load", "data of the run (emptied first), the services' binaries and logs")
	flag.StringVar(&cfg.Out, "out", "reports/load.md", "the Markdown report; the chart goes beside it as .png")
	flag.Parse()
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "percorsi-load:", err)
		os.Exit(1)
	}
	cfg.Self = self
	cfg.Command = "percorsi-load " + strings.Join(os.Args[1:], " ")
	if _, err := load.Bench(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "percorsi-load:", err)
		os.Exit(1)
	}
}

var start = time.Now()

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%6.1fs  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
}
