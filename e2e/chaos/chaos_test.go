// Package chaos runs every Percorsi service as its own process on the
// embedded stack, drives it through the public HTTP APIs as its users
// would, and meanwhile kills services, takes the broker and the store
// away, and slows and cuts the network to them through toxiproxy. Then it
// checks the users' ledger against every person's pathway and writes
// reports/chaos.md. `make chaos` runs it; it is skipped otherwise.
package chaos

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/deploy/allinone"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/pathway"
	"github.com/percorsi/percorsi/services/web/clients"
)

// config is the run's knobs, from the environment (see the Makefile).
type config struct {
	short    bool          // CHAOS_SHORT: a couple of faults, about two minutes
	seed     uint64        // CHAOS_SEED: the random moments; default the clock
	outage   time.Duration // CHAOS_OUTAGE: broker and store away; default 30s
	hold     time.Duration // CHAOS_HOLD: each network fault; default 20s
	gap      time.Duration // CHAOS_GAP: steady load between faults, give or take half; default 12s
	pace     time.Duration // CHAOS_PACE: between one teacher's registers; default 4s
	teachers int           // CHAOS_TEACHERS: teachers recording at once; default 4
	report   string        // CHAOS_REPORT: where the report goes; default reports/chaos.md
	logs     string        // CHAOS_LOGS: where the services' logs go; default a new temporary directory, kept
}

func configFromEnv(t *testing.T) config {
	c := config{
		short: os.Getenv("CHAOS_SHORT") != "", seed: uint64(time.Now().UnixNano()),
		outage: 30 * time.Second, hold: 20 * time.Second, gap: 12 * time.Second, pace: 4 * time.Second, teachers: 4,
		report: filepath.Join("..", "..", "reports", "chaos.md"),
	}
	if c.short {
		c.outage, c.hold, c.gap = 10*time.Second, 10*time.Second, 8*time.Second
	}
	for _, d := range []struct {
		env string
		to  *time.Duration
	}{{"CHAOS_OUTAGE", &c.outage}, {"CHAOS_HOLD", &c.hold}, {"CHAOS_GAP", &c.gap}, {"CHAOS_PACE", &c.pace}} {
		if v := os.Getenv(d.env); v != "" {
			var err error
			if *d.to, err = time.ParseDuration(v); err != nil {
				t.Fatalf("%s: %v", d.env, err)
			}
		}
	}
	for _, n := range []struct {
		env string
		to  any
	}{{"CHAOS_SEED", &c.seed}, {"CHAOS_TEACHERS", &c.teachers}} {
		v := os.Getenv(n.env)
		if v == "" {
			continue
		}
		i, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", n.env, err)
		}
		switch p := n.to.(type) {
		case *uint64:
			*p = i
		case *int:
			*p = int(i)
		}
	}
	if v := os.Getenv("CHAOS_REPORT"); v != "" {
		c.report = v
	}
	c.logs = os.Getenv("CHAOS_LOGS")
	return c
}

// fault is one thing that goes wrong, and how it is put right.
type fault struct {
	name   string
	inject func() error
	hold   time.Duration
	heal   func(context.Context) error
	// opens is web's breaker this fault must open: it holds, past hold,
	// until it has (at most opensWithin).
	opens string

	// What the run saw.
	start, healed, next time.Time
	restart             time.Duration // kills: from exec to /healthz
}

type run struct {
	cfg      config
	rng      *rand.Rand
	st       *stack
	services map[string]*service
	store    *mongo.Client // the store itself, past the proxies
	w        *world
	rec      *recorder
	led      *ledger
	breakers *breakerWatch
	backlog  *backlogWatch
}

func TestChaos(t *testing.T) {
	if os.Getenv("CHAOS") == "" {
		t.Skip("fault injection runs for minutes: `make chaos` runs it (CHAOS=1)")
	}
	cfg := configFromEnv(t)
	t.Logf("seed %d", cfg.seed)
	ctx := t.Context()
	dir := t.TempDir()
	began := time.Now()
	loadBefore := loadAverage()

	bin := filepath.Join(dir, "bin")
	t.Log("building the services")
	if err := buildServices(ctx, bin); err != nil {
		t.Fatal(err)
	}
	topics := slices.Compact(slices.Sorted(slices.Values(append(append([]string{}, allinone.Topics...), pathway.Topics...))))
	st, err := startStack(ctx, dir, topics)
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	store, err := mongo.Connect(options.Client().ApplyURI(st.store.MongoURI()).SetTimeout(30 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Disconnect(context.Background())

	r := &run{
		cfg: cfg, rng: rand.New(rand.NewPCG(cfg.seed, cfg.seed)), st: st, store: store,
		services: map[string]*service{}, rec: &recorder{}, led: newLedger(),
	}
	r.w = newWorld(12, 6, 48)
	if cfg.short {
		r.w = newWorld(6, 5, 24)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	t.Log("seeding")
	if err := seed(ctx, process.Config{MongoURI: st.store.MongoURI(), KafkaBrokers: []string{st.brokerProxy.Listen}, TokenKey: signingKey}, r.w, log); err != nil {
		t.Fatal(err)
	}
	logs := cfg.logs
	if logs == "" {
		// Not t.TempDir: the logs are what explains a failed run.
		logs, err = os.MkdirTemp("", "percorsi-chaos-logs-")
	} else {
		err = os.MkdirAll(logs, 0o700)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("starting the services; their logs go to %s", logs)
	if err := r.startServices(ctx, bin, logs); err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, s := range r.services {
			s.stop()
		}
	}()

	// The relays publish what seeding stored before the load starts, so
	// that the backlog under steady load is the load's own.
	if _, err := r.waitDrained(ctx, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	for n, s := range r.services {
		urls[n] = s.url
	}
	r.breakers = &breakerWatch{url: urls["web"], last: map[string]int{}}
	r.backlog = &backlogWatch{store: store}
	watchCtx, stopWatch := context.WithCancel(ctx)
	var watchers sync.WaitGroup
	watchers.Go(func() { r.breakers.run(watchCtx, 250*time.Millisecond) })
	watchers.Go(func() { r.backlog.run(watchCtx, time.Second) })

	ld := &load{w: r.w, urls: urls, rec: r.rec, led: r.led, client: &http.Client{Timeout: callTimeout}, pace: cfg.pace, teachers: cfg.teachers}
	loadCtx, stopLoad := context.WithCancel(ctx)
	loadDone := make(chan error, 1)
	loadStart := time.Now()
	go func() { loadDone <- ld.run(loadCtx) }()

	steady := cfg.gap
	t.Logf("steady load for %s", steady)
	time.Sleep(steady)
	faults := r.schedule()
	r.inject(t, ctx, faults)
	stopLoad()
	if err := <-loadDone; err != nil {
		t.Fatal(err)
	}
	loadEnd := time.Now()

	t.Log("waiting for the relays' backlogs to drain")
	drained, err := r.waitDrained(ctx, 3*time.Minute)
	if err != nil {
		t.Error(err)
	}
	t.Log("checking every acknowledged fact on the pathways")
	v, caughtUp, err := check(ctx, r.services["pathway"].url, r.w.tokens[caseWorker.Subject], r.w, r.led, time.Now().Add(5*time.Minute))
	if err != nil {
		t.Error(err)
	}
	stopWatch()
	watchers.Wait()

	rep := report{
		cfg: cfg, w: r.w, faults: faults, outcomes: r.rec.all(), breakers: r.breakers.transitions(), backlog: r.backlog.all(),
		verdict: v, steadyFrom: loadStart, steadyTo: faults[0].start, loadEnd: loadEnd, drained: drained, caughtUp: caughtUp,
		crashes: map[string][]string{}, took: time.Since(began), loadAvg: [2]string{loadBefore, loadAverage()},
	}
	for n, s := range r.services {
		if c := s.crashLog(); len(c) > 0 {
			rep.crashes[n] = c
		}
	}
	md := rep.markdown()
	if err := os.WriteFile(cfg.report, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("report written to %s", cfg.report)
	for _, p := range rep.problems() {
		t.Error(p)
	}
}

// startServices starts every service on its own ports, each with its own
// proxy to the store and the shared proxy to the broker.
func (r *run) startServices(ctx context.Context, bin, logs string) error {
	ports := map[string]int{}
	for _, n := range serviceNames {
		p, err := freePort()
		if err != nil {
			return err
		}
		ports[n] = p
	}
	for _, n := range serviceNames {
		proxy, uri, err := r.st.storeProxy(n)
		if err != nil {
			return err
		}
		s := &service{
			name: n, bin: filepath.Join(bin, n), url: fmt.Sprintf("http://127.0.0.1:%d", ports[n]),
			logs: filepath.Join(logs, n+".log"), store: proxy,
			env: []string{
				fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", ports[n]), "MONGODB_URI=" + uri,
				"KAFKA_BROKERS=" + r.st.brokerProxy.Listen, "TOKEN_KEY=" + signingKey,
			},
		}
		switch n {
		case "courses", "training":
			g, err := freePort()
			if err != nil {
				return err
			}
			s.env = append(s.env, fmt.Sprintf("GRPC_ADDR=127.0.0.1:%d", g))
		case "pathway":
			s.env = append(s.env, "PATHWAY_MASTER_KEYS="+masterKeys)
		case "web":
			for _, called := range serviceNames[:len(serviceNames)-1] {
				s.env = append(s.env, strings.ToUpper(called)+"_URL="+r.services[called].url)
			}
		}
		r.services[n] = s
		if err := s.start(ctx); err != nil {
			return err
		}
	}
	return nil
}

// schedule lists the faults of the run: each service killed once at a
// random moment, the broker and the store away, the network to them slow
// and cut.
func (r *run) schedule() []*fault {
	var fs []*fault
	kills := serviceNames
	if r.cfg.short {
		kills = []string{"courses", "pathway"}
	}
	for _, i := range r.rng.Perm(len(kills)) {
		s := r.services[kills[i]]
		fs = append(fs, &fault{
			name:   "kill -9 " + s.name,
			inject: s.kill,
			hold:   time.Duration(4000+r.rng.IntN(5000)) * time.Millisecond,
		})
		f := fs[len(fs)-1]
		if slices.Contains(pagedServices, s.name) {
			f.opens = "web_" + s.name
		}
		// Restart the same binary on the same port and stores.
		f.heal = func(ctx context.Context) error {
			began := time.Now()
			err := s.start(ctx)
			f.restart = time.Since(began)
			return err
		}
	}
	fs = append(fs, &fault{
		name:   "broker away",
		inject: func() error { r.st.broker.stop(); return nil },
		hold:   r.cfg.outage,
		heal:   func(context.Context) error { return r.st.broker.start() },
	})
	if !r.cfg.short {
		fs = append(fs, &fault{
			name:   "store away (every service's link)",
			inject: func() error { r.eachStoreProxy((*toxiproxy.Proxy).Stop); return nil },
			hold:   r.cfg.outage,
			heal: func(context.Context) error {
				var err error
				r.eachStoreProxy(func(p *toxiproxy.Proxy) {
					if e := p.Start(); e != nil {
						err = e
					}
				})
				return err
			},
		})
		fs = append(fs,
			r.toxic("broker link slow (500±200 ms)", r.st.brokerProxy, toxicLatency, func(p *toxiproxy.Proxy) error { return slow(p, 500, 200) }),
			r.toxic("courses-store link slow (400 ms)", r.services["courses"].store, toxicLatency, func(p *toxiproxy.Proxy) error { return slow(p, 400, 0) }),
			r.toxic("courses-store link cut (blackhole)", r.services["courses"].store, toxicBlackhole, blackhole),
			r.toxic("pathway-store link cut (blackhole)", r.services["pathway"].store, toxicBlackhole, blackhole),
			r.toxic("housing-store link cut (blackhole)", r.services["housing"].store, toxicBlackhole, blackhole),
			r.toxic("broker link cut (blackhole)", r.st.brokerProxy, toxicBlackhole, blackhole),
		)
	} else {
		fs = append(fs, r.toxic("courses-store link cut (blackhole)", r.services["courses"].store, toxicBlackhole, blackhole))
	}
	return fs
}

func (r *run) toxic(name string, p *toxiproxy.Proxy, toxic string, add func(*toxiproxy.Proxy) error) *fault {
	return &fault{
		name:   name,
		inject: func() error { return add(p) },
		hold:   r.cfg.hold,
		heal:   func(context.Context) error { return heal(p, toxic) },
	}
}

func (r *run) eachStoreProxy(fn func(*toxiproxy.Proxy)) {
	for _, n := range serviceNames {
		fn(r.services[n].store)
	}
}

// inject runs the faults one after the other, each at a random moment
// half a gap to a gap and a half after the previous one healed.
func (r *run) inject(t *testing.T, ctx context.Context, faults []*fault) {
	for i, f := range faults {
		if i > 0 {
			time.Sleep(r.cfg.gap/2 + time.Duration(r.rng.Int64N(int64(r.cfg.gap))))
			r.waitBreakersClosed(t, ctx, faults[i-1])
		}
		f.start = time.Now()
		if i > 0 {
			faults[i-1].next = f.start
		}
		t.Logf("%s: %s for %s", f.start.Format(time.TimeOnly), f.name, f.hold.Round(time.Millisecond))
		if err := f.inject(); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		time.Sleep(f.hold)
		if f.opens != "" && !r.breakers.waitState(ctx, f.opens, breakerOpen, opensWithin) {
			t.Logf("%s: web's breaker %s still not open %s after the hold", f.name, f.opens, opensWithin)
		}
		if err := f.heal(ctx); err != nil {
			t.Fatalf("healing %s: %v", f.name, err)
		}
		f.healed = time.Now()
	}
	// The last fault's recovery under load: long enough for web's
	// breakers (open 15 s) and a consumer that fell behind.
	time.Sleep(3 * r.cfg.gap)
	r.waitBreakersClosed(t, ctx, faults[len(faults)-1])
	faults[len(faults)-1].next = time.Now()
}

// opensWithin bounds how long a kill waits, past its hold, for web's
// breaker of the service killed to open: web's pages call it about once a
// second, and five failures in a row within a breaker's count open it.
const opensWithin = 30 * time.Second

// waitBreakersClosed holds the next fault back until web's breakers have
// closed again after f. A breaker stays open clients.DefaultResilience's
// BreakerOpen and closes only on a call after that: the random gap alone
// once let web be killed while its courses breaker was still open, and a
// restarted web's breakers start closed, so the closing was never seen.
func (r *run) waitBreakersClosed(t *testing.T, ctx context.Context, f *fault) {
	within := 2 * clients.DefaultResilience.BreakerOpen
	if !r.breakers.waitClosed(ctx, within) {
		t.Logf("%s: web's breakers still not all closed %s after the gap", f.name, within)
	}
}

// waitDrained waits until no outbox holds a pending event and says when.
func (r *run) waitDrained(ctx context.Context, within time.Duration) (time.Time, error) {
	deadline := time.Now().Add(within)
	for {
		n, err := pending(ctx, r.store)
		if err == nil && n == 0 {
			return time.Now(), nil
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("outboxes still hold %d pending events after %s (last error %v)", n, within, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// backlogWatch samples the events pending in every outbox.
type backlogWatch struct {
	store *mongo.Client

	mu      sync.Mutex
	samples []sample
}

type sample struct {
	at      time.Time
	pending int64
}

func (b *backlogWatch) run(ctx context.Context, every time.Duration) {
	for pause(ctx, every) {
		n, err := pending(ctx, b.store)
		if err != nil {
			continue
		}
		b.mu.Lock()
		b.samples = append(b.samples, sample{time.Now(), n})
		b.mu.Unlock()
	}
}

func (b *backlogWatch) all() []sample {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]sample(nil), b.samples...)
}

// loadAverage is the machine's load over the last 1, 5 and 15 minutes, or
// "unknown" where /proc does not tell.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
