package kafkakit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// Cluster is where the brokers are and how to authenticate to them. The
// zero value of auth is no authentication, as on the embedded stack.
type Cluster struct {
	Brokers []string
	auth    sasl.Mechanism
}

// NewCluster returns the brokers to dial with SASL/SCRAM-SHA-512 as
// username (a Strimzi KafkaUser), or unauthenticated when username is empty.
func NewCluster(brokers []string, username, password string) (Cluster, error) {
	c := Cluster{Brokers: brokers}
	if username == "" {
		return c, nil
	}
	m, err := scram.Mechanism(scram.SHA512, username, password)
	if err != nil {
		return Cluster{}, fmt.Errorf("kafkakit: SCRAM credentials: %w", err)
	}
	c.auth = m
	return c, nil
}

// NewWriter returns a writer for events: every write waits for all in-sync
// replicas, records are spread by key with Kafka's own partitioner (so a
// person's events stay in one partition, as a Java client would put them),
// and batches leave after 5 ms instead of kafka-go's default second.
func (c Cluster) NewWriter() *kafka.Writer {
	return &kafka.Writer{
		Addr:                   kafka.TCP(c.Brokers...),
		Balancer:               kafka.Murmur2Balancer{},
		RequiredAcks:           kafka.RequireAll,
		BatchTimeout:           5 * time.Millisecond,
		BatchSize:              1000,
		MaxAttempts:            3,
		AllowAutoTopicCreation: false,
		Transport:              &kafka.Transport{SASL: c.auth},
	}
}

// NewReader returns a consumer-group reader tuned for Percorsi: it starts at
// the oldest record for a new group, waits little for new records, and
// commits the offsets passed to CommitMessages every half second.
func (c Cluster) NewReader(group string, topics ...string) *kafka.Reader {
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers:          c.Brokers,
		GroupID:          group,
		GroupTopics:      topics,
		Dialer:           c.Dialer(),
		StartOffset:      kafka.FirstOffset,
		MinBytes:         1,
		MaxBytes:         10 << 20,
		MaxWait:          100 * time.Millisecond,
		CommitInterval:   500 * time.Millisecond,
		JoinGroupBackoff: 200 * time.Millisecond,
		// A member that vanished without leaving (a crash, a broker
		// outage) holds its partitions this long before a rebalance.
		SessionTimeout:   10 * time.Second,
		RebalanceTimeout: 10 * time.Second,
	})
}

// Dialer returns a dialer that authenticates as the cluster asks: for what
// a consumer group does not cover, such as reading a partition's offsets or
// reading a partition from a given offset.
func (c Cluster) Dialer() *kafka.Dialer {
	return &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true, SASLMechanism: c.auth}
}

// Ping checks that a broker answers and accepts the credentials; it is a
// readiness check.
func (c Cluster) Ping(ctx context.Context) error {
	d := kafka.Dialer{SASLMechanism: c.auth}
	for _, b := range c.Brokers {
		conn, err := d.DialContext(ctx, "tcp", b)
		if err == nil {
			return conn.Close()
		}
	}
	return errors.New("no broker answers")
}

// NewReader is Cluster{Brokers: brokers}.NewReader, for unauthenticated
// brokers such as the embedded stack's.
func NewReader(brokers []string, group string, topics ...string) *kafka.Reader {
	return Cluster{Brokers: brokers}.NewReader(group, topics...)
}

// NewWriter is Cluster{Brokers: brokers}.NewWriter, for unauthenticated
// brokers such as the embedded stack's.
func NewWriter(brokers []string) *kafka.Writer {
	return Cluster{Brokers: brokers}.NewWriter()
}
