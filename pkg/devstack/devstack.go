// Package devstack runs the embedded stand-ins for Kafka and MongoDB in the
// current process: a kfake cluster (Kafka wire protocol, persisted in a data
// directory) and FerretDB v1 on SQLite (MongoDB wire protocol). `make run` and
// the tests use it; production points the same binaries at real clusters.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/twmb/franz-go/pkg/kfake"
)

// Config says where the stand-ins keep their data and listen.
type Config struct {
	// Dir holds kafka/ and mongo/ subdirectories; it survives restarts.
	Dir string
	// KafkaPort and MongoPort on 127.0.0.1; 0 picks a free port.
	KafkaPort int
	MongoPort int
	// Topics are created at start with Partitions partitions each.
	Topics     []string
	Partitions int
	Logger     *slog.Logger
	// NoTableScan makes a MongoDB query whose filter no index serves fail,
	// as MongoDB's notablescan parameter does; tests set it, so that a query
	// without its index fails the build (an empty filter, a read of the
	// whole collection by design, is served).
	NoTableScan bool
}

// Stack is a running embedded Kafka and MongoDB.
type Stack struct {
	cfg Config

	mu        sync.Mutex
	kafka     *kfake.Cluster
	kafkaPort int

	mongoURI  string
	mongoStop context.CancelFunc
	mongoDone chan struct{}
}

// Start starts both stand-ins and returns once they accept connections.
func Start(ctx context.Context, cfg Config) (*Stack, error) {
	if cfg.Dir == "" {
		return nil, errors.New("devstack: Dir is required")
	}
	if cfg.Partitions <= 0 {
		cfg.Partitions = 6
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Stack{cfg: cfg, kafkaPort: cfg.KafkaPort}
	if err := s.StartKafka(); err != nil {
		return nil, err
	}
	if err := s.startMongo(ctx); err != nil {
		s.StopKafka()
		return nil, err
	}
	return s, nil
}

// KafkaBrokers returns the broker addresses to dial.
func (s *Stack) KafkaBrokers() []string {
	return []string{net.JoinHostPort("127.0.0.1", strconv.Itoa(s.kafkaPort))}
}

// MongoURI returns the connection string of the embedded FerretDB.
func (s *Stack) MongoURI() string { return s.mongoURI }

// StartKafka (re)starts the Kafka stand-in on the same port and data
// directory, so topics, records and committed offsets are as they were.
func (s *Stack) StartKafka() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kafka != nil {
		return nil
	}
	dir := filepath.Join(s.cfg.Dir, "kafka")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("devstack: kafka data dir: %w", err)
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(s.kafkaPort),
		kfake.DataDir(dir),
		// An acknowledged produce must survive a crash of this process.
		kfake.SyncWrites(),
		kfake.DefaultNumPartitions(s.cfg.Partitions),
	}
	if len(s.cfg.Topics) > 0 {
		opts = append(opts, kfake.SeedTopics(int32(s.cfg.Partitions), s.cfg.Topics...))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return fmt.Errorf("devstack: start kafka: %w", err)
	}
	_, port, err := net.SplitHostPort(c.ListenAddrs()[0])
	if err != nil {
		c.Close()
		return fmt.Errorf("devstack: kafka address: %w", err)
	}
	s.kafkaPort, _ = strconv.Atoi(port)
	s.kafka = c
	return nil
}

// StopKafka takes the Kafka stand-in away, as a broker outage would; its data
// stays on disk for StartKafka.
func (s *Stack) StopKafka() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kafka != nil {
		s.kafka.Close()
		s.kafka = nil
	}
}

func (s *Stack) startMongo(ctx context.Context) error {
	dir := filepath.Join(s.cfg.Dir, "mongo")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("devstack: mongo data dir: %w", err)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.cfg.MongoPort))},
		// FerretDB logs every error reply at WARN with a wire dump, and
		// our own unique-index conflicts are expected: keep errors only.
		Logger:            slog.New(levelFloor{s.cfg.Logger.Handler(), slog.LevelError}),
		Handler:           "sqlite",
		SQLiteURL:         "file:" + dir + "/",
		SQLiteNoTableScan: s.cfg.NoTableScan,
	})
	if err != nil {
		return fmt.Errorf("devstack: start mongo: %w", err)
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(runCtx) // returns only when stopped
	}()
	s.mongoURI = f.MongoDBURI() // blocks until the listener is up
	s.mongoStop, s.mongoDone = stop, done
	return nil
}

// Close stops both stand-ins.
func (s *Stack) Close() {
	s.StopKafka()
	if s.mongoStop != nil {
		s.mongoStop()
		<-s.mongoDone
	}
}

// levelFloor drops records below a minimum level.
type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFloor) WithAttrs(as []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(as), h.min}
}

func (h levelFloor) WithGroup(name string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(name), h.min}
}
