package load

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/percorsi/percorsi/deploy/allinone"
	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/devstack"
	"github.com/percorsi/percorsi/services/pathway"
)

// Services the load drives, in the order they start (web calls the
// others).
var Services = []string{"courses", "training", "pathway", "housing", "jobs", "web"}

// Target is a running Percorsi the load drives: where each service's HTTP
// API is, the store and broker beneath them, the key its users' tokens are
// signed with, and the processes to measure.
type Target struct {
	URLs     map[string]string // by service name
	MongoURI string
	Brokers  []string
	Issuer   *auth.HMAC
	Parts    []Part
	// Shared says the parts share one process, so their memory and CPU
	// can only be measured together.
	Shared bool
	close  func() error
	procs  []*proc // started as processes, the stack first
	// tokenKey signs the users' tokens; the services started get it.
	tokenKey string
}

// Part is one process to measure.
type Part struct {
	Name string
	PID  int
}

// Close stops what Start started.
func (t *Target) Close() error { return t.close() }

// StartInProcess runs every service and the embedded stack inside this
// process, as `make run` does (deploy/allinone), with data under dir. It
// starts in seconds, which suits tests; memory and CPU are the process's.
func StartInProcess(ctx context.Context, dir string) (*Target, error) {
	sys, err := allinone.Start(ctx, allinone.Config{Dir: dir})
	if err != nil {
		return nil, err
	}
	return &Target{
		URLs: map[string]string{
			"courses": sys.CoursesURL, "training": sys.TrainingURL, "pathway": sys.PathwayURL,
			"housing": sys.HousingURL, "jobs": sys.JobsURL, "web": sys.WebURL,
		},
		MongoURI: sys.Stack.MongoURI(), Brokers: sys.Stack.KafkaBrokers(), Issuer: sys.Issuer,
		Parts:  []Part{{Name: "all (services, stack, driver)", PID: os.Getpid()}},
		Shared: true, close: sys.Close,
	}, nil
}

// ProcessConfig says how to start the system as separate processes.
type ProcessConfig struct {
	Repo string // the module's root, where the services are built from
	Dir  string // binaries, data and each process's log
	// Self is the command that serves the embedded stack when run with
	// the argument "stack" (see ServeStack): the load command itself.
	Self     string
	Progress func(format string, args ...any)
}

// StartStack builds each service's command and starts a process serving
// the embedded stack; StartServices then runs each service in a process of
// its own, as deployed, so that each one's memory and CPU can be measured
// apart. In between, the store and broker are there with no service
// polling them: a bulk load runs as a migration before a deployment would.
func StartStack(ctx context.Context, cfg ProcessConfig) (*Target, error) {
	bin, logs := filepath.Join(cfg.Dir, "bin"), filepath.Join(cfg.Dir, "logs")
	for _, d := range []string{bin, logs} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
	}
	cfg.Progress("building the services' commands")
	args := []string{"build", "-o", bin + "/"}
	for _, s := range Services {
		args = append(args, "./services/"+s+"/cmd/"+s)
	}
	build := exec.CommandContext(ctx, "go", args...)
	build.Dir = cfg.Repo
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("load: go build: %w\n%s", err, out)
	}
	cfg.Progress("starting the embedded stack")
	stack, addrs, err := startStack(cfg.Self, filepath.Join(cfg.Dir, "stack"), filepath.Join(logs, "stack.log"))
	if err != nil {
		return nil, err
	}
	t := &Target{URLs: map[string]string{}, procs: []*proc{stack}, MongoURI: addrs.MongoURI, Brokers: addrs.Brokers}
	t.close = func() error { return stopAll(t.procs) }
	t.Parts = append(t.Parts, Part{Name: "stack (Kafka, FerretDB)", PID: stack.cmd.Process.Pid})
	key := randomHex(32)
	if t.Issuer, err = auth.NewHMAC([]byte(key)); err != nil {
		_ = t.close()
		return nil, err
	}
	t.tokenKey = key
	return t, nil
}

// StartServices starts each service's command, built by StartStack, and
// waits until it is ready; each started is a new Part, told to started.
func (t *Target) StartServices(ctx context.Context, cfg ProcessConfig, started func(Part)) error {
	bin, logs := filepath.Join(cfg.Dir, "bin"), filepath.Join(cfg.Dir, "logs")
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	common := []string{
		"MONGODB_URI=" + t.MongoURI, "KAFKA_BROKERS=" + strings.Join(t.Brokers, ","), "TOKEN_KEY=" + t.tokenKey,
		"PATHWAY_MASTER_KEYS=load:" + base64.StdEncoding.EncodeToString(master),
	}
	grpcAddrs := map[string]string{}
	for _, s := range Services {
		port, err := freePort()
		if err != nil {
			return err
		}
		grpcPort, err := freePort()
		if err != nil {
			return err
		}
		t.URLs[s], grpcAddrs[s] = fmt.Sprintf("http://127.0.0.1:%d", port), fmt.Sprintf("127.0.0.1:%d", grpcPort)
		env := append(slices.Clone(common), fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", port), "GRPC_ADDR="+grpcAddrs[s])
		if s == "web" {
			// web calls the others over gRPC (started before it).
			for _, o := range Services[:len(Services)-1] {
				env = append(env, strings.ToUpper(o)+"_GRPC="+grpcAddrs[o])
			}
		}
		cfg.Progress("starting %s", s)
		p, err := startProcess(filepath.Join(bin, s), env, filepath.Join(logs, s+".log"))
		if err != nil {
			return err
		}
		t.procs = append(t.procs, p)
		part := Part{Name: s, PID: p.cmd.Process.Pid}
		t.Parts = append(t.Parts, part)
		started(part)
		if err := waitReady(ctx, t.URLs[s], p); err != nil {
			return fmt.Errorf("load: %s: %w (see %s)", s, err, filepath.Join(logs, s+".log"))
		}
	}
	return nil
}

// proc is a started process; done closes when it has ended.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// start starts cmd with its output in log, which it closes at the end.
func start(cmd *exec.Cmd, log *os.File) (*proc, error) {
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("load: start %s: %w", cmd.Path, err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		log.Close()
		close(p.done)
	}()
	return p, nil
}

func startProcess(path string, env []string, logPath string) (*proc, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	cmd := exec.Command(path)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = log, log
	return start(cmd, log)
}

// waitReady polls the service's readiness until it answers 200, or its
// process ends, or startTimeout passes.
func waitReady(ctx context.Context, url string, p *proc) error {
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.done:
			return errors.New("exited at start")
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("not ready after %s", startTimeout)
}

// startTimeout bounds a service's start: it builds its indexes over what
// was seeded before it, which at 500,000 people took pathway more than a
// minute on the embedded store.
const startTimeout = 10 * time.Minute

// stopAll stops the processes, the last started first, as a deployment
// would: a SIGTERM, then a SIGKILL if one lingers.
func stopAll(procs []*proc) error {
	var errs []error
	for _, p := range slices.Backward(procs) {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			errs = append(errs, fmt.Errorf("%s did not stop in 15s; killed", filepath.Base(p.cmd.Path)))
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	return errors.Join(errs...)
}

// stackAddrs is what the stack process tells on its first line.
type stackAddrs struct {
	MongoURI string   `json:"mongo_uri"`
	Brokers  []string `json:"brokers"`
}

func startStack(self, dir, logPath string) (*proc, stackAddrs, error) {
	var addrs stackAddrs
	log, err := os.Create(logPath)
	if err != nil {
		return nil, addrs, fmt.Errorf("load: %w", err)
	}
	cmd := exec.Command(self, "stack", dir)
	cmd.Stderr = log
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, addrs, fmt.Errorf("load: %w", err)
	}
	p, err := start(cmd, log)
	if err != nil {
		return nil, addrs, err
	}
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &addrs)
	}
	if err != nil {
		_ = stopAll([]*proc{p})
		return nil, addrs, fmt.Errorf("load: the stack did not start (see %s): %w", logPath, err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return p, addrs, nil
}

// StackTopics are the topics the stack holds: every service's, and the
// one the broker's raw limits are measured on.
func StackTopics() []string {
	all := append(slices.Clone(allinone.Topics), pathway.Topics...)
	all = append(all, rawTopic)
	slices.Sort(all)
	return slices.Compact(all)
}

// ServeStack runs the embedded Kafka and FerretDB with data under dir,
// writes their addresses as one JSON line to w, and serves until ctx ends.
func ServeStack(ctx context.Context, dir string, w io.Writer, log *slog.Logger) error {
	s, err := devstack.Start(ctx, devstack.Config{Dir: dir, Topics: StackTopics(), Logger: log})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := json.NewEncoder(w).Encode(stackAddrs{MongoURI: s.MongoURI(), Brokers: s.KafkaBrokers()}); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("load: free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
