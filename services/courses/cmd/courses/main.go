// Command courses runs the courses service against the Kafka and MongoDB
// named in its environment (see process.Config and config below).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"
	_ "time/tzdata" // schedules are read on Rome's clock wherever this runs

	"github.com/caarlos0/env/v11"

	"github.com/percorsi/percorsi/pkg/process"
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

func main() { process.Command("courses", run) }

func run(ctx context.Context, log *slog.Logger) error {
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
	return app.Serve(ctx, cfg.Config, app.API, app.GRPC)
}
