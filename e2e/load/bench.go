package load

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Config is one whole run: the system, the population, the users, and
// where the report goes.
type Config struct {
	Size            Size
	Users           Users
	Duration, Drain time.Duration
	// MinRegisters prolongs the load until that many registers were
	// acknowledged, however slow the machine (tests).
	MinRegisters int
	// RawHTTPFor is how long the bare net/http handler is measured; zero:
	// three seconds.
	RawHTTPFor time.Duration
	// IdleFor is how long the system is measured with no user before the
	// load; zero: twenty seconds.
	IdleFor time.Duration
	// InProcess runs every service in this process (fast to start; memory
	// and CPU measured together); otherwise each service runs its own
	// command, built from Repo, beside a stack process started as Self.
	InProcess bool
	Repo      string
	Self      string
	Dir       string // data of the run; emptied first
	Out       string // the Markdown report; the chart goes beside it as .png
	Command   string // as the report names it
	Progress  func(format string, args ...any)
}

// settlePatience bounds the wait for the seeding's events before the load.
const settlePatience = 10 * time.Minute

// Bench starts the system, measures its parts' raw limits, seeds the
// population, drives the users, and writes the report.
func Bench(ctx context.Context, cfg Config) (*Report, error) {
	if err := os.RemoveAll(cfg.Dir); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	started := time.Now()
	pop, err := Generate(cfg.Size, started)
	if err != nil {
		return nil, err
	}
	cfg.Progress("population: %d people, %d organisations, %d classes, %d lessons (%d to record), %d job seekers",
		len(pop.Persons), pop.Organisations, len(pop.Classes), len(pop.Lessons), len(pop.Registerable), len(pop.Profiles))

	// Separate processes: the stack first, where the raw limits are
	// measured and the bulk of the population loaded with nothing else
	// polling the store, then the services. In one process everything
	// starts at once.
	var t *Target
	pcfg := ProcessConfig{Repo: cfg.Repo, Dir: cfg.Dir, Self: cfg.Self, Progress: cfg.Progress}
	if cfg.InProcess {
		t, err = StartInProcess(ctx, filepath.Join(cfg.Dir, "system"))
	} else {
		t, err = StartStack(ctx, pcfg)
	}
	if err != nil {
		return nil, err
	}
	defer t.Close()
	parts := slices.Clone(t.Parts)
	if !t.Shared {
		parts = append(parts, Part{Name: "driver (the users)", PID: os.Getpid()})
	}
	sampler := NewSampler(parts, started)
	sampleCtx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	go sampler.Run(sampleCtx)

	r := &Report{At: started, Command: cfg.Command, Pop: pop, Shared: t.Shared, Chart: strings.TrimSuffix(filepath.Base(cfg.Out), ".md") + ".png"}
	if r.Limits, err = measureLimits(ctx, t, pop, cfg); err != nil {
		return nil, err
	}
	if r.Seeded, err = SeedStores(ctx, t.MongoURI, pop, cfg.Progress); err != nil {
		return nil, err
	}
	if !cfg.InProcess {
		if err := t.StartServices(ctx, pcfg, sampler.Add); err != nil {
			return nil, err
		}
	}
	if err := SeedAPIs(ctx, t, pop, r.Seeded, cfg.Progress); err != nil {
		return nil, err
	}
	r.Parts = sampler.Parts()
	// The load starts once the events of seeding are through, so that the
	// freshness it measures is its own and not seeding's backlog.
	cfg.Progress("waiting for the seeding's events to reach their consumers")
	t0 := time.Now()
	applied, err := settle(ctx, t, settlePatience, cfg.Progress)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		r.Unsettled = true
		r.Warnings = append(r.Warnings, "the load started with the seeding's events still in flight: "+err.Error())
	}
	r.Seeded.Steps = append(r.Seeded.Steps, SeedStep{
		What: "the seeding's events reaching their consumers (no outbox backlog, no consumer lag)", Count: applied,
		How: "waited, reading the services' metrics (count: events the consumers applied)", Took: time.Since(t0),
	})
	// What the system does by itself, with no user: its background work
	// (relays polling their outboxes, alert checks) is a base load that
	// every figure of the load stands on.
	if cfg.IdleFor == 0 {
		cfg.IdleFor = 20 * time.Second
	}
	cfg.Progress("measuring the system with no user for %s", cfg.IdleFor)
	idleFrom := time.Since(started)
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(cfg.IdleFor):
	}
	r.Idle, r.IdleFor = sampler.Window(idleFrom, time.Since(started)), cfg.IdleFor
	cfg.Progress("driving the users for %s", cfg.Duration)
	if r.Run, err = Drive(ctx, t, pop, r.Seeded, cfg); err != nil {
		return nil, err
	}
	stopSampling()
	r.Samples = sampler.Samples()
	r.Usage = sampler.Window(r.Run.Start.Sub(started), r.Run.End.Sub(started))
	if err := t.Close(); err != nil {
		r.Warnings = append(r.Warnings, "stopping the system: "+err.Error())
	}
	if err := r.write(cfg.Out); err != nil {
		return nil, err
	}
	cfg.Progress("report: %s and %s", cfg.Out, r.Chart)
	return r, nil
}

func measureLimits(ctx context.Context, t *Target, pop *Population, cfg Config) (Limits, error) {
	var l Limits
	var err error
	sizes := []int{len(pop.Persons), len(pop.Lessons)}
	slices.Sort(sizes)
	cfg.Progress("raw limits: store InsertMany, _id reads and guarded updates at %v documents", sizes)
	if l.InsertManyDocsPerSec, l.IDRead, l.GuardedUpdate, err = MeasureStore(ctx, t.MongoURI, slices.Compact(sizes), cfg.Progress); err != nil {
		return l, err
	}
	l.BrokerMessages = min(100000, max(2000, 2*len(pop.Persons)))
	cfg.Progress("raw limits: broker produce and consume of %d messages", l.BrokerMessages)
	if l.ProduceMsgsPerSec, l.ConsumeMsgsPerSec, err = MeasureBroker(ctx, t.Brokers, l.BrokerMessages); err != nil {
		return l, err
	}
	u := cfg.Users
	l.HTTPClients = u.Teachers + u.CaseWorkers + u.Counsellors + u.Employers + u.HousingWorkers + u.Watchers
	cfg.Progress("raw limits: bare net/http handler, %d clients", l.HTTPClients)
	if cfg.RawHTTPFor == 0 {
		cfg.RawHTTPFor = 3 * time.Second
	}
	if l.HTTPReqPerSec, l.HTTPP50, err = MeasureHTTP(ctx, l.HTTPClients, cfg.RawHTTPFor); err != nil {
		return l, err
	}
	cfg.Progress("raw limits: InsertMany %.0f docs/s, _id read p50 %s at %d docs, produce %.0f msgs/s, consume %.0f msgs/s, net/http %.0f req/s",
		l.InsertManyDocsPerSec, l.IDRead[len(l.IDRead)-1].P50, l.IDRead[len(l.IDRead)-1].Size, l.ProduceMsgsPerSec, l.ConsumeMsgsPerSec, l.HTTPReqPerSec)
	return l, nil
}

// write writes the Markdown and the chart beside it.
func (r *Report) write(out string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	md, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if err := r.Markdown(md); err != nil {
		md.Close()
		return fmt.Errorf("load: write %s: %w", out, err)
	}
	if err := md.Close(); err != nil {
		return fmt.Errorf("load: write %s: %w", out, err)
	}
	chart := filepath.Join(filepath.Dir(out), r.Chart)
	f, err := os.Create(chart)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if err := r.WriteChart(f); err != nil {
		f.Close()
		return fmt.Errorf("load: write %s: %w", chart, err)
	}
	return f.Close()
}
