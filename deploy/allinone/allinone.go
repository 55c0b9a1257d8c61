// Package allinone runs every Percorsi service in one process on the
// embedded Kafka and MongoDB, with demo data: what `make run` starts and
// what the end-to-end tests drive. Each service keeps its own port, its own
// database and its own topic, exactly as when deployed apart.
package allinone

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"google.golang.org/grpc"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/devstack"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/courses"
	"github.com/percorsi/percorsi/services/housing"
	"github.com/percorsi/percorsi/services/jobs"
	"github.com/percorsi/percorsi/services/pathway"
	"github.com/percorsi/percorsi/services/training"
	"github.com/percorsi/percorsi/services/web"
	"github.com/percorsi/percorsi/services/web/clients"
)

// Config says where the system keeps its data and listens.
type Config struct {
	Dir          string // data of the embedded stack, the signing key, demo tokens
	Host         string // interface to listen on; 127.0.0.1 unless told
	KafkaPort    int    // 0: any free port
	MongoPort    int
	CoursesPort  int // a service's gRPC port is its HTTP port + GRPCPortOffset
	PathwayPort  int
	HousingPort  int
	JobsPort     int
	TrainingPort int
	WebPort      int
	// WebResilience bounds the pages' calls to the services; zero means
	// clients.DefaultResilience. Tests shorten it.
	WebResilience clients.Resilience
	Demo          bool // seed demo data and write demo tokens
	NoTableScan   bool // the store refuses a query no index serves (tests)
	Logger        *slog.Logger
}

// GRPCPortOffset puts each service's gRPC port beside its HTTP port
// (courses on 8081 and 9081).
const GRPCPortOffset = 1000

// System is the running whole.
type System struct {
	Stack    *devstack.Stack
	Issuer   *auth.HMAC
	Courses  *courses.App
	Pathway  *pathway.App
	Housing  *housing.App
	Jobs     *jobs.App
	Training *training.App
	Web      *web.App
	// URLs of each service's HTTP API.
	CoursesURL, PathwayURL, HousingURL, JobsURL, TrainingURL string
	WebURL                                                   string // the pages people use
	// GRPCAddrs are the services' gRPC addresses by name: each on its
	// HTTP port + GRPCPortOffset, or any free port when that is 0.
	GRPCAddrs map[string]string
	Demo      *Demo // nil unless Config.Demo

	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error
}

// Topics every service publishes to or dead-letters into.
var Topics = []string{courses.Topic, training.Topic, pathway.DeadLetterTopic, housing.Topic,
	// jobs publishes its facts and dead letters, and follows the pathway
	// topic before anything publishes on it.
	jobs.Topic, jobs.DeadLetterTopic, jobs.PathwayTopic}

// Start starts the embedded stack and every service, and seeds the demo.
func Start(ctx context.Context, cfg Config) (*System, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	key, err := signingKey(cfg.Dir)
	if err != nil {
		return nil, err
	}
	stack, err := devstack.Start(ctx, devstack.Config{
		Dir: cfg.Dir, KafkaPort: cfg.KafkaPort, MongoPort: cfg.MongoPort, Topics: Topics, Logger: cfg.Logger,
		NoTableScan: cfg.NoTableScan,
	})
	if err != nil {
		return nil, err
	}
	issuer, err := auth.NewHMAC(key)
	if err != nil {
		stack.Close()
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &System{Stack: stack, Issuer: issuer, GRPCAddrs: map[string]string{}, cancel: cancel}
	if err := s.startServices(ctx, runCtx, cfg, key); err != nil {
		s.Close()
		return nil, err
	}
	base := process.Config{MongoURI: stack.MongoURI(), KafkaBrokers: stack.KafkaBrokers(), TokenKey: string(key)}
	if err := s.startWeb(ctx, runCtx, cfg, base); err != nil {
		s.Close()
		return nil, err
	}
	if cfg.Demo {
		if s.Demo, err = seedDemo(ctx, s, cfg.Dir); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *System) startServices(ctx, runCtx context.Context, cfg Config, key []byte) error {
	base := process.Config{MongoURI: s.Stack.MongoURI(), KafkaBrokers: s.Stack.KafkaBrokers(), TokenKey: string(key)}
	c, err := courses.Open(ctx, base, cfg.Logger)
	if err != nil {
		return err
	}
	s.Courses = c
	if s.CoursesURL, err = s.serve(runCtx, c.Process, c.API, c.GRPC, cfg.Host, cfg.CoursesPort); err != nil {
		return err
	}
	tr, err := training.Open(ctx, base, cfg.Logger)
	if err != nil {
		return err
	}
	s.Training = tr
	if s.TrainingURL, err = s.serve(runCtx, tr.Process, tr.API, tr.GRPC, cfg.Host, cfg.TrainingPort); err != nil {
		return err
	}
	master, err := masterKey(cfg.Dir)
	if err != nil {
		return err
	}
	p, err := pathway.Open(ctx, base, pathway.Config{MasterKeys: master}, cfg.Logger)
	if err != nil {
		return err
	}
	s.Pathway = p
	if s.PathwayURL, err = s.serve(runCtx, p.Process, p.API, p.GRPC, cfg.Host, cfg.PathwayPort); err != nil {
		return err
	}
	h, err := housing.Open(ctx, base, housing.DefaultRentShare, cfg.Logger)
	if err != nil {
		return err
	}
	s.Housing = h
	if s.HousingURL, err = s.serve(runCtx, h.Process, h.API, h.GRPC, cfg.Host, cfg.HousingPort); err != nil {
		return err
	}
	j, err := jobs.Open(ctx, base, jobs.DefaultConfig, cfg.Logger)
	if err != nil {
		return err
	}
	s.Jobs = j
	s.JobsURL, err = s.serve(runCtx, j.Process, j.API, j.GRPC, cfg.Host, cfg.JobsPort)
	return err
}

func (s *System) serve(ctx context.Context, p *process.Process, api http.Handler, rpc *grpc.Server, host string, port int) (string, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, fmt.Sprint(port)))
	if err != nil {
		return "", fmt.Errorf("%s: listen: %w", p.Name, err)
	}
	if rpc != nil {
		grpcPort := 0
		if port != 0 {
			grpcPort = port + GRPCPortOffset
		}
		gln, err := net.Listen("tcp", net.JoinHostPort(host, fmt.Sprint(grpcPort)))
		if err != nil {
			_ = ln.Close()
			return "", fmt.Errorf("%s: listen for gRPC: %w", p.Name, err)
		}
		p.ServeGRPC(gln, rpc)
		s.mu.Lock()
		s.GRPCAddrs[p.Name] = gln.Addr().String()
		s.mu.Unlock()
	}
	s.wg.Go(func() {
		if err := p.Run(ctx, ln, api); err != nil {
			s.mu.Lock()
			s.errs = append(s.errs, err)
			s.mu.Unlock()
		}
	})
	return "http://" + ln.Addr().String(), nil
}

// Close stops every service, then the stack, and reports what failed.
func (s *System) Close() error {
	s.cancel()
	s.wg.Wait()
	s.Stack.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.errs...)
}

// signingKey returns the token signing key kept in dir, made on first use,
// so that demo tokens stay valid across restarts and no key is committed.
func signingKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, "token.key")
	if b, err := os.ReadFile(path); err == nil {
		return b, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("allinone: %w", err)
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	key := []byte(hex.EncodeToString(raw))
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("allinone: write signing key: %w", err)
	}
	return key, nil
}

// masterKey returns pathway's master key kept in dir as "id:base64", made on
// first use like the signing key, so sealed demo data stays readable across
// restarts.
func masterKey(dir string) (string, error) {
	path := filepath.Join(dir, "pathway-master.key")
	if b, err := os.ReadFile(path); err == nil {
		return string(b), nil
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	spec := "demo:" + base64.StdEncoding.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(spec), 0o600); err != nil {
		return "", fmt.Errorf("allinone: write pathway master key: %w", err)
	}
	return spec, nil
}
