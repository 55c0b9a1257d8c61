// Command courses runs the courses service against the Kafka and MongoDB
// named in its environment (see process.Config and config below).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // schedules are read on Rome's clock wherever this runs

	"github.com/caarlos0/env/v11"

	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/pkg/tracectx"
	"github.com/percorsi/percorsi/services/courses"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// config is what courses reads from its environment beside the shared part.
type config struct {
	process.Config
	LockAfter        time.Duration `env:"COURSES_REGISTER_LOCK_AFTER" envDefault:"168h"`
	AdmissionPercent int           `env:"COURSES_ADMISSION_PERCENT" envDefault:"70"`
	AbsenceStreak    int           `env:"COURSES_ABSENCE_STREAK" envDefault:"3"`
	TimeZone         string        `env:"COURSES_TIME_ZONE" envDefault:"Europe/Rome"`
}

func main() {
	log := slog.New(tracectx.LogHandler(slog.NewJSONHandler(os.Stderr, nil)))
	if err := run(log); err != nil {
		log.Error("courses stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	shutdown, err := tracectx.Setup(ctx, "courses")
	if err != nil {
		return err
	}
	defer func() { _ = shutdown(context.WithoutCancel(ctx)) }()
	cfg, err := env.ParseAs[config]()
	if err != nil {
		return err
	}
	rules := domain.DefaultConfig()
	rules.LockAfter, rules.AbsenceStreak = cfg.LockAfter, cfg.AbsenceStreak
	if cfg.AdmissionPercent < 1 || cfg.AdmissionPercent > 100 || cfg.AbsenceStreak < 1 {
		return fmt.Errorf("COURSES_ADMISSION_PERCENT must be 1-100 and COURSES_ABSENCE_STREAK at least 1")
	}
	rules.AdmissionShareBP = cfg.AdmissionPercent * 100
	if rules.Location, err = time.LoadLocation(cfg.TimeZone); err != nil {
		return fmt.Errorf("COURSES_TIME_ZONE: %w", err)
	}
	app, err := courses.OpenWith(ctx, cfg.Config, rules, time.Now, log)
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
