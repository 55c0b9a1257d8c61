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
	"syscall"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/deploy/allinone"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/courses"
	"github.com/percorsi/percorsi/services/housing"
	"github.com/percorsi/percorsi/services/jobs"
	"github.com/percorsi/percorsi/services/pathway"
	"github.com/percorsi/percorsi/services/training"
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
	replicas int           // CHAOS_REPLICAS: processes of each service; default 3
	paused   time.Duration // CHAOS_PAUSED: a SIGSTOP's hold; default 20s, twice the relay lease's TTL and Kafka's session timeout
	slow     time.Duration // CHAOS_SLOW: a consumer slower than the producers; default 2m
}

func configFromEnv(t *testing.T) config {
	c := config{
		short: os.Getenv("CHAOS_SHORT") != "", seed: uint64(time.Now().UnixNano()),
		outage: 30 * time.Second, hold: 20 * time.Second, gap: 12 * time.Second, pace: 4 * time.Second, teachers: 4,
		report:   filepath.Join("..", "..", "reports", "chaos.md"),
		replicas: 3, paused: 20 * time.Second, slow: 2 * time.Minute,
	}
	if c.short {
		c.outage, c.hold, c.gap, c.slow = 10*time.Second, 10*time.Second, 8*time.Second, 30*time.Second
	}
	for _, d := range []struct {
		env string
		to  *time.Duration
	}{{"CHAOS_OUTAGE", &c.outage}, {"CHAOS_HOLD", &c.hold}, {"CHAOS_GAP", &c.gap}, {"CHAOS_PACE", &c.pace}, {"CHAOS_PAUSED", &c.paused}, {"CHAOS_SLOW", &c.slow}} {
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
	}{{"CHAOS_SEED", &c.seed}, {"CHAOS_TEACHERS", &c.teachers}, {"CHAOS_REPLICAS", &c.replicas}} {
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
	if c.replicas < 2 {
		t.Fatalf("CHAOS_REPLICAS: %d; the relay lease's faults need at least 2", c.replicas)
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

	// lease is the service whose relay lease this fault takes from its
	// holder (killed or paused): the report gives the handover.
	lease string

	// What the run saw.
	start, healed, next time.Time
	restart             time.Duration // kills: from exec to /healthz
	target              string        // the replica the fault chose when it struck
	notes               []string      // what the fault itself checked
	problems            []string      // of which what fails the run
}

type run struct {
	cfg      config
	rng      *rand.Rand
	st       *stack
	services map[string][]*service // the replicas of each service
	lb       map[string]*balancer  // in front of each service's replicas
	store    *mongo.Client         // the store itself, past the proxies
	topics   []string
	w        *world
	rec      *recorder
	led      *ledger
	breakers *breakerWatch
	backlog  *backlogWatch
	relays   *relayWatch
	lag      *lagWatch
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

	logs := cfg.logs
	var err error
	if logs == "" {
		// Not t.TempDir: the logs are what explains a failed run.
		logs, err = os.MkdirTemp("", "percorsi-chaos-logs-")
	} else {
		err = os.MkdirAll(logs, 0o700)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the stack's and the services' logs go to %s", logs)

	bin := filepath.Join(dir, "bin")
	t.Log("building the services")
	if err := buildServices(ctx, bin); err != nil {
		t.Fatal(err)
	}
	topics := slices.Compact(slices.Sorted(slices.Values(append(append([]string{}, allinone.Topics...), pathway.Topics...))))
	st, err := startStack(dir, logs, topics)
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	store, err := mongo.Connect(options.Client().ApplyURI(st.storeURI()).SetTimeout(30 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Disconnect(context.Background())

	r := &run{
		cfg: cfg, rng: rand.New(rand.NewPCG(cfg.seed, cfg.seed)), st: st, store: store, topics: topics,
		services: map[string][]*service{}, lb: map[string]*balancer{}, rec: &recorder{}, led: newLedger(),
	}
	r.w = newWorld(12, 6, 48)
	if cfg.short {
		r.w = newWorld(6, 5, 24)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	t.Log("seeding")
	if err := seed(ctx, process.Config{MongoURI: st.storeURI(), KafkaBrokers: []string{st.brokerProxy.Listen}, TokenKey: signingKey}, r.w, log); err != nil {
		t.Fatal(err)
	}
	t.Logf("starting %d replicas of each service", cfg.replicas)
	probeCtx, stopProbes := context.WithCancel(ctx)
	defer stopProbes()
	// Registered first: a replica that fails to start must not leave the
	// others running.
	defer func() {
		for _, rs := range r.services {
			for _, s := range rs {
				s.stop()
			}
		}
		for _, b := range r.lb {
			b.close()
		}
	}()
	if err := r.startServices(probeCtx, bin, logs); err != nil {
		t.Fatal(err)
	}

	// The relays publish what seeding stored before the load starts, so
	// that the backlog under steady load is the load's own.
	if _, err := r.waitDrained(ctx, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	for n, b := range r.lb {
		urls[n] = b.url
	}
	r.breakers = &breakerWatch{replicas: r.services["web"], last: map[string]int{}}
	r.backlog = &backlogWatch{store: store}
	r.relays = &relayWatch{replicas: r.services, samples: map[string][]relaySample{}}
	r.lag = &lagWatch{broker: st.brokerProxy.Listen, groups: map[string][]string{
		pathway.ConsumerGroup: pathway.Consumed, jobs.ConsumerGroup: {jobs.CoursesTopic, jobs.TrainingTopic, jobs.PathwayTopic},
	}, samples: map[string][]sample{}}
	watchCtx, stopWatch := context.WithCancel(ctx)
	var watchers sync.WaitGroup
	watchers.Go(func() { r.breakers.run(watchCtx, 250*time.Millisecond) })
	watchers.Go(func() { r.backlog.run(watchCtx, time.Second) })
	watchers.Go(func() { r.relays.run(watchCtx, time.Second) })
	watchers.Go(func() { r.lag.run(watchCtx, 2*time.Second) })

	ld := &load{w: r.w, urls: urls, rec: r.rec, led: r.led, client: &http.Client{Timeout: callTimeout}, pace: cfg.pace, teachers: cfg.teachers, webReplicas: cfg.replicas}
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
	v, caughtUp, err := check(ctx, urls["pathway"], r.w.tokens[caseWorker.Subject], r.w, r.led, time.Now().Add(5*time.Minute))
	if err != nil {
		t.Error(err)
	}
	stopWatch()
	watchers.Wait()
	t.Log("counting the copies of every event on the topics")
	published := []string{courses.Topic, training.Topic, pathway.Topic, housing.Topic, jobs.Topic}
	copied, err := count(ctx, st.brokerProxy.Listen, published)
	if err != nil {
		t.Error(err)
	}

	rep := report{
		cfg: cfg, w: r.w, faults: faults, outcomes: r.rec.all(), breakers: r.breakers.transitions(), backlog: r.backlog.all(),
		verdict: v, steadyFrom: loadStart, steadyTo: faults[0].start, loadEnd: loadEnd, drained: drained, caughtUp: caughtUp,
		crashes: map[string][]string{}, took: time.Since(began), loadAvg: [2]string{loadBefore, loadAverage()},
		relays: r.relays, lag: r.lag, copies: copied,
	}
	for _, rs := range r.services {
		for _, s := range rs {
			if c := s.crashLog(); len(c) > 0 {
				rep.crashes[s.id] = c
			}
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

// startServices starts cfg.replicas replicas of every service, each on
// its own ports with its own proxy to the store and the shared proxy to
// the broker, behind a balancer per service. web's replicas call the
// others' balancers, as they would call a Kubernetes Service.
func (r *run) startServices(ctx context.Context, bin, logs string) error {
	for _, n := range serviceNames {
		for i := range r.cfg.replicas {
			port, err := freePort()
			if err != nil {
				return err
			}
			id := fmt.Sprintf("%s-%d", n, i+1)
			proxy, uri, err := r.st.storeProxy(id)
			if err != nil {
				return err
			}
			s := &service{
				name: n, id: id, bin: filepath.Join(bin, n), url: fmt.Sprintf("http://127.0.0.1:%d", port),
				logs: filepath.Join(logs, id+".log"), store: proxy, ports: []int{port},
				env: []string{
					fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", port), "MONGODB_URI=" + uri,
					"KAFKA_BROKERS=" + r.st.brokerProxy.Listen, "TOKEN_KEY=" + signingKey,
				},
			}
			if n != "web" {
				g, err := freePort()
				if err != nil {
					return err
				}
				s.grpc = fmt.Sprintf("127.0.0.1:%d", g)
				s.env = append(s.env, "GRPC_ADDR="+s.grpc)
				s.ports = append(s.ports, g)
			}
			switch n {
			case "pathway":
				s.env = append(s.env, "PATHWAY_MASTER_KEYS="+masterKeys)
			case "web":
				// Both of each service's addresses: web reads those its
				// configuration names.
				for _, called := range serviceNames[:len(serviceNames)-1] {
					s.env = append(s.env, strings.ToUpper(called)+"_URL="+r.lb[called].url, strings.ToUpper(called)+"_GRPC="+r.lb[called].grpc)
				}
			}
			r.services[n] = append(r.services[n], s)
		}
		b, err := newBalancer(n, r.services[n])
		if err != nil {
			return err
		}
		r.lb[n] = b
		go b.probe(ctx)
		// The replicas of a service start together, as a rollout of a
		// Deployment's pods does; the services one after the other.
		errs := make(chan error, r.cfg.replicas)
		for _, s := range r.services[n] {
			go func() { errs <- s.start(ctx) }()
		}
		for range r.services[n] {
			if e := <-errs; e != nil && err == nil {
				err = e
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// schedule lists the faults of the run: a replica of each service killed
// at a random moment, and every replica of the services web's pages call;
// the relay lease's holder killed and paused; a replica killed as another
// rejoins its consumer group; a consumer paused; the broker and the store
// away, the broker paused, the whole stack killed; the network to them
// slow and cut; a consumer slower than the producers for minutes; an old
// segment of the topics delivered again.
func (r *run) schedule() []*fault {
	var fs []*fault
	if r.cfg.short {
		fs = append(fs,
			r.killHolder("courses"),
			r.killAll("pathway"),
			r.pauseReplica("pathway"),
			r.killRejoining("jobs"),
			r.killStack(),
			r.replayFault(),
		)
		return fs
	}
	for _, i := range r.rng.Perm(len(serviceNames)) {
		fs = append(fs, r.killReplica(serviceNames[i]))
	}
	fs = append(fs,
		r.killAll("courses"),
		r.killAll("pathway"),
		r.killHolder("courses"),
		r.killHolder("jobs"),
		r.killHolder("housing"),
		r.pauseHolder("courses"),
		r.pauseReplica("pathway"),
		r.killRejoining("pathway"),
		r.killRejoining("jobs"),
		&fault{
			name:   "broker away",
			inject: func() error { r.st.broker.stop(); return nil },
			hold:   r.cfg.outage,
			heal:   func(context.Context) error { return r.st.broker.start() },
		},
		&fault{
			name:   "broker paused (SIGSTOP, then SIGCONT)",
			inject: func() error { return r.st.broker.signal(syscall.SIGSTOP) },
			hold:   r.cfg.paused,
			notes:  []string{fmt.Sprintf("paused %s: every client's connection to it stays open and silent", r.cfg.paused)},
			heal:   func(context.Context) error { return r.st.broker.signal(syscall.SIGCONT) },
		},
		r.killStack(),
		&fault{
			name:   "store away (every replica's link)",
			inject: func() error { r.eachStoreProxy(nil, (*toxiproxy.Proxy).Stop); return nil },
			hold:   r.cfg.outage,
			heal: func(context.Context) error {
				var err error
				r.eachStoreProxy(nil, func(p *toxiproxy.Proxy) {
					if e := p.Start(); e != nil {
						err = e
					}
				})
				return err
			},
		},
		r.toxic("broker link slow (500±200 ms)", []*toxiproxy.Proxy{r.st.brokerProxy}, toxicLatency, func(p *toxiproxy.Proxy) error { return slow(p, 500, 200) }),
		r.toxic("courses-store links slow (400 ms)", r.storeProxies("courses"), toxicLatency, func(p *toxiproxy.Proxy) error { return slow(p, 400, 0) }),
		r.toxic("courses-store links cut (blackhole)", r.storeProxies("courses"), toxicBlackhole, blackhole),
		r.toxic("pathway-store links cut (blackhole)", r.storeProxies("pathway"), toxicBlackhole, blackhole),
		r.toxic("housing-store links cut (blackhole)", r.storeProxies("housing"), toxicBlackhole, blackhole),
		r.toxic("broker link cut (blackhole)", []*toxiproxy.Proxy{r.st.brokerProxy}, toxicBlackhole, blackhole),
		r.slowConsumer(),
		r.replayFault(),
	)
	return fs
}

// restart is a kill's heal: the same binary on the same port and stores.
func restart(f *fault, s *service) func(context.Context) error {
	return func(ctx context.Context) error {
		began := time.Now()
		err := s.start(ctx)
		f.restart = time.Since(began)
		return err
	}
}

func (r *run) killHold() time.Duration {
	return time.Duration(4000+r.rng.IntN(5000)) * time.Millisecond
}

// killReplica kills one replica of service, chosen at random: the
// balancer sends its calls to the others.
func (r *run) killReplica(service string) *fault {
	s := r.services[service][r.rng.IntN(len(r.services[service]))]
	f := &fault{name: "kill -9 " + s.id, inject: s.kill, hold: r.killHold()}
	f.heal = restart(f, s)
	return f
}

// killAll kills every replica of service: web's breaker of it must open.
func (r *run) killAll(service string) *fault {
	f := &fault{name: "kill -9 every replica of " + service, hold: r.killHold(), opens: "web_" + service}
	f.inject = func() error {
		for _, s := range r.services[service] {
			if err := s.kill(); err != nil {
				return err
			}
		}
		return nil
	}
	f.heal = func(ctx context.Context) error {
		began := time.Now()
		for _, s := range r.services[service] {
			if err := s.start(ctx); err != nil {
				return err
			}
		}
		f.restart = time.Since(began)
		return nil
	}
	return f
}

// killHolder kills the replica of service whose relay holds the lease, as
// its /metrics says: another must take over within the lease's TTL.
func (r *run) killHolder(svc string) *fault {
	// Held down past the TTL: restarted sooner, the killed replica
	// could take the lease back itself before a standby had to (a full
	// run measured 70 s and 203 s "handovers" that were such).
	f := &fault{name: "kill -9 the relay-lease holder of " + svc, hold: leaseTTL + r.killHold(), lease: svc}
	var s *service
	f.inject = func() error {
		var err error
		if s, err = holder(context.Background(), r.services[svc], 30*time.Second); err != nil {
			return err
		}
		f.target = s.id
		return s.kill()
	}
	f.heal = func(ctx context.Context) error { return restart(f, s)(ctx) }
	return f
}

// pauseHolder pauses the relay-lease holder of service past the lease's
// TTL: another takes over; the paused one, let run again, must find it has
// lost the lease.
func (r *run) pauseHolder(svc string) *fault {
	f := &fault{name: "SIGSTOP the relay-lease holder of " + svc + ", then SIGCONT", hold: r.cfg.paused, lease: svc}
	var s *service
	f.inject = func() error {
		var err error
		if s, err = holder(context.Background(), r.services[svc], 30*time.Second); err != nil {
			return err
		}
		f.target = s.id
		f.notes = append(f.notes, pausedFor(f.hold))
		return s.pause()
	}
	f.heal = func(context.Context) error { return s.resume() }
	return f
}

// pauseReplica pauses a replica of a consumer past Kafka's session
// timeout: the group rebalances its partitions to the others; let run
// again, it finds itself out of the group and joins again, and what it was
// applying when paused is applied by another as well.
func (r *run) pauseReplica(service string) *fault {
	s := r.services[service][r.rng.IntN(len(r.services[service]))]
	return &fault{
		name: "SIGSTOP " + s.id + ", then SIGCONT", hold: r.cfg.paused, notes: []string{pausedFor(r.cfg.paused)},
		inject: s.pause, heal: func(context.Context) error { return s.resume() },
	}
}

// sessionTimeout is pkg/kafkakit's consumer group session timeout.
const sessionTimeout = 10 * time.Second

func pausedFor(d time.Duration) string {
	return fmt.Sprintf("paused %s, past the relay lease's TTL (%s) and Kafka's session timeout (%s)", d, leaseTTL, sessionTimeout)
}

// killRejoining kills a replica of a consumer right after another one,
// killed and started again, has joined the group: mid-rebalance.
func (r *run) killRejoining(service string) *fault {
	rs := r.services[service]
	i := r.rng.IntN(len(rs))
	joins, dies := rs[i], rs[(i+1+r.rng.IntN(len(rs)-1))%len(rs)]
	f := &fault{name: fmt.Sprintf("kill -9 %s as %s rejoins (mid-rebalance)", dies.id, joins.id), hold: r.killHold()}
	f.inject = func() error {
		if err := joins.kill(); err != nil {
			return err
		}
		time.Sleep(2 * time.Second)
		if err := joins.start(context.Background()); err != nil {
			return err
		}
		// /healthz answers as the consumer starts joining.
		wait := time.Duration(r.rng.IntN(1000)) * time.Millisecond
		time.Sleep(wait)
		f.notes = append(f.notes, fmt.Sprintf("%s killed %s after %s answered /healthz again, its consumer joining the group", dies.id, wait.Round(time.Millisecond), joins.id))
		return dies.kill()
	}
	f.heal = restart(f, dies)
	return f
}

// killStack kills the broker and the store, SIGKILL, and starts them again
// on their data: every record the broker acknowledged before must still
// be there (and every fact acknowledged to a user, which the ledger
// checks at the end).
func (r *run) killStack() *fault {
	f := &fault{name: "kill -9 the broker and the store, start them again on their data", hold: r.killHold()}
	var before map[string]int64
	var docs int64
	f.inject = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var err error
		if before, err = endOffsets(ctx, r.st.brokerProxy.Listen, r.topics); err != nil {
			return err
		}
		if docs, err = documents(ctx, r.store); err != nil {
			return err
		}
		r.st.broker.kill()
		r.st.store.kill()
		return nil
	}
	f.heal = func(ctx context.Context) error {
		began := time.Now()
		if err := r.st.store.start(); err != nil {
			return err
		}
		if err := r.st.broker.start(); err != nil {
			return err
		}
		f.restart = time.Since(began)
		c, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		var after map[string]int64
		var err error
		for after, err = endOffsets(c, r.st.brokerProxy.Listen, r.topics); err != nil && pause(c, time.Second); {
			after, err = endOffsets(c, r.st.brokerProxy.Listen, r.topics)
		}
		if err != nil {
			return fmt.Errorf("the broker's offsets after its restart: %w", err)
		}
		var acked, lost int64
		for tp, n := range before {
			acked += n
			if after[tp] < n {
				lost += n - after[tp]
				f.problems = append(f.problems, fmt.Sprintf("%s: %d records before the kill, %d after", tp, n, after[tp]))
			}
		}
		f.notes = append(f.notes, fmt.Sprintf("the broker held %d records before the kill, of which %d were missing after", acked, lost))
		if now, err := documents(c, r.store); err == nil {
			f.notes = append(f.notes, fmt.Sprintf("the store held %d documents before the kill, %d after", docs, now))
		}
		return nil
	}
	return f
}

// slowConsumer slows every pathway replica's link to its store for
// minutes: pathway applies events slower than the producers publish them,
// and its lag grows, then shrinks after.
func (r *run) slowConsumer() *fault {
	f := r.toxic("pathway's consumers slower than the producers: its store links +300 ms", r.storeProxies("pathway"), toxicLatency, func(p *toxiproxy.Proxy) error { return slow(p, 300, 0) })
	f.hold = r.cfg.slow
	return f
}

// replayed are the topics whose events the ledger sees on the pathways.
var replayed = []string{courses.Topic, jobs.Topic, housing.Topic}

// replayFault publishes an old segment of the topics again, the first
// records of each partition with their event ids: the ledger at the end
// shows whether any was applied twice.
func (r *run) replayFault() *fault {
	const perPartition = 200
	f := &fault{name: fmt.Sprintf("replay: the first %d records of each partition of %s published again", perPartition, strings.Join(replayed, ", ")), hold: r.cfg.hold}
	f.inject = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		n, err := replay(ctx, r.st.brokerProxy.Listen, replayed, perPartition)
		if err != nil {
			return err
		}
		f.notes = append(f.notes, fmt.Sprintf("%d records published again, the oldest written %s earlier "+
			"(minutes, not hours, as the run lasts minutes; pathway keeps each entry under its event id, with no time window, so the age of a copy changes nothing)",
			n, time.Since(r.w.seeded).Round(time.Second)))
		return nil
	}
	f.heal = func(context.Context) error { return nil }
	return f
}

func (r *run) toxic(name string, ps []*toxiproxy.Proxy, toxic string, add func(*toxiproxy.Proxy) error) *fault {
	return &fault{
		name: name,
		inject: func() error {
			for _, p := range ps {
				if err := add(p); err != nil {
					return err
				}
			}
			return nil
		},
		hold: r.cfg.hold,
		heal: func(context.Context) error {
			for _, p := range ps {
				if err := heal(p, toxic); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// storeProxies are the links of every replica of service to the store.
func (r *run) storeProxies(service string) []*toxiproxy.Proxy {
	var ps []*toxiproxy.Proxy
	for _, s := range r.services[service] {
		ps = append(ps, s.store)
	}
	return ps
}

// eachStoreProxy calls fn on the store link of every replica of services,
// or of every service if none is named.
func (r *run) eachStoreProxy(services []string, fn func(*toxiproxy.Proxy)) {
	if len(services) == 0 {
		services = serviceNames
	}
	for _, n := range services {
		for _, p := range r.storeProxies(n) {
			fn(p)
		}
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
		if f.target != "" {
			t.Logf("%s: struck %s", f.name, f.target)
		}
		time.Sleep(f.hold)
		if f.opens != "" && !r.breakers.waitState(ctx, f.opens, breakerOpen, opensWithin) {
			t.Logf("%s: web's breaker %s still not open %s after the hold", f.name, f.opens, opensWithin)
		}
		if err := f.heal(ctx); err != nil {
			t.Fatalf("healing %s: %v", f.name, err)
		}
		f.healed = time.Now()
		for _, n := range f.notes {
			t.Logf("%s: %s", f.name, n)
		}
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
