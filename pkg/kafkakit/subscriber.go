// Package kafkakit is a go-kit style transport for Kafka: a Subscriber feeds
// the messages of a consumer group, decoded, to an endpoint, the same
// endpoint chain HTTP and gRPC use. Messages already waiting are applied
// together: the endpoint receives a []any of decoded requests, in order, so
// that a store can write them in one round trip.
//
// Delivery is at least once: an offset is committed only after its message
// was applied or dead-lettered, commits are batched, and the endpoints must
// be idempotent by event id. A message that can't be decoded or applied
// (a business error) goes to the dead-letter topic with the reason, and the
// subscriber goes on; an infrastructure error is retried, in place, so that
// nothing is skipped and each key's order is kept.
package kafkakit

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/tracectx"
)

// DecodeFunc turns a message into an endpoint request. Its errors are
// permanent: the message is dead-lettered.
type DecodeFunc func(ctx context.Context, m kafka.Message) (request any, err error)

// Reader is what a Subscriber needs of a *kafka.Reader with a GroupID.
type Reader interface {
	FetchMessage(ctx context.Context) (kafka.Message, error)
	CommitMessages(ctx context.Context, msgs ...kafka.Message) error
	Close() error
}

// Writer is what a Subscriber needs of the dead-letter *kafka.Writer.
type Writer interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Config wires a Subscriber.
type Config struct {
	Name       string // e.g. "pathway-timeline"; a metric label
	Reader     Reader
	DeadLetter Writer
	DeadTopic  string
	Batch      int // most messages applied together; default 200
	Logger     *slog.Logger
	Metrics    prometheus.Registerer // nil: not registered
}

// Subscriber applies messages to an endpoint.
type Subscriber struct {
	cfg    Config
	e      endpoint.Endpoint
	decode DecodeFunc

	outcomes *prometheus.CounterVec
	retries  prometheus.Counter
	lag      *prometheus.GaugeVec
}

// New returns a Subscriber.
func New(cfg Config, e endpoint.Endpoint, decode DecodeFunc) *Subscriber {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 200
	}
	labels := prometheus.Labels{"subscriber": cfg.Name}
	s := &Subscriber{
		cfg: cfg, e: e, decode: decode,
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "percorsi_consumer_messages_total", Help: "Messages consumed, by outcome (applied, dead_lettered).", ConstLabels: labels,
		}, []string{"outcome"}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "percorsi_consumer_retries_total", Help: "Attempts that failed on an infrastructure error and were retried.", ConstLabels: labels,
		}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "percorsi_consumer_lag", Help: "Records behind the end of each partition at the last fetch.", ConstLabels: labels,
		}, []string{"topic", "partition"}),
	}
	if cfg.Metrics != nil {
		cfg.Metrics.MustRegister(s.outcomes, s.retries, s.lag)
	}
	return s
}

// Run consumes until ctx ends, then closes the reader (which flushes the
// pending commits and leaves the group). A broker that goes away is waited
// for: fetch and commit errors are retried, never skipped.
func (s *Subscriber) Run(ctx context.Context) error {
	defer s.cfg.Reader.Close()
	backoff := 100 * time.Millisecond
	for {
		batch, err := s.fetch(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			s.cfg.Logger.WarnContext(ctx, "fetch failed; retrying", "subscriber", s.cfg.Name, "err", err)
			if !sleep(ctx, backoff) {
				return nil
			}
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		if err := s.handle(ctx, batch); err != nil {
			return nil // only ctx ends handling without an outcome
		}
		for err := s.cfg.Reader.CommitMessages(ctx, batch...); err != nil; err = s.cfg.Reader.CommitMessages(ctx, batch...) {
			if ctx.Err() != nil {
				return nil
			}
			s.cfg.Logger.WarnContext(ctx, "commit failed; retrying", "subscriber", s.cfg.Name, "err", err)
			if !sleep(ctx, time.Second) {
				return nil
			}
		}
	}
}

// fetch waits for one message, then takes those already waiting behind it.
func (s *Subscriber) fetch(ctx context.Context) ([]kafka.Message, error) {
	m, err := s.cfg.Reader.FetchMessage(ctx)
	if err != nil {
		return nil, err
	}
	batch := []kafka.Message{m}
	for len(batch) < s.cfg.Batch {
		// FetchMessage takes a message only if it returns it: a wait cut
		// short by the deadline loses nothing.
		wait, cancel := context.WithTimeout(ctx, 2*time.Millisecond)
		m, err := s.cfg.Reader.FetchMessage(wait)
		cancel()
		if err != nil {
			break
		}
		batch = append(batch, m)
	}
	// A group reader reports no lag of its own; each record carries its
	// partition's high-water mark, which is as good.
	for _, m := range batch {
		s.lag.WithLabelValues(m.Topic, strconv.Itoa(m.Partition)).Set(float64(m.HighWaterMark - m.Offset - 1))
	}
	return batch, nil
}

// pending is a decoded message on its way to the endpoint.
type pending struct {
	msg kafka.Message
	req any
	ctx context.Context // carries the message's trace
}

// handle applies a batch, dead-lettering what can't be decoded or applied;
// it returns an error only when ctx ended first.
func (s *Subscriber) handle(ctx context.Context, batch []kafka.Message) error {
	var ok []pending
	for _, m := range batch {
		mctx, span := tracectx.FromKafka(ctx, m)
		defer span.End() // with the batch: the messages are applied together
		req, err := s.decode(mctx, m)
		if err != nil {
			if err := s.deadLetter(mctx, m, err); err != nil {
				return err
			}
			continue
		}
		ok = append(ok, pending{msg: m, req: req, ctx: mctx})
	}
	if len(ok) == 0 {
		return nil
	}
	err := s.applyRetrying(ctx, ok)
	if err == nil || !errcode.IsBusiness(err) {
		return err
	}
	// Something in the batch can't be applied: find it by applying each
	// message alone, in order.
	for _, p := range ok {
		err := s.applyRetrying(p.ctx, []pending{p})
		switch {
		case err == nil:
		case errcode.IsBusiness(err):
			if err := s.deadLetter(p.ctx, p.msg, err); err != nil {
				return err
			}
		default:
			return err
		}
	}
	return nil
}

// applyRetrying applies ps, retrying infrastructure errors with backoff; it
// returns nil, a business error, or ctx's error.
func (s *Subscriber) applyRetrying(ctx context.Context, ps []pending) error {
	reqs := make([]any, len(ps))
	for i, p := range ps {
		reqs[i] = p.req
	}
	backoff := 50 * time.Millisecond
	for {
		err := s.apply(ctx, reqs)
		switch {
		case err == nil:
			s.outcomes.WithLabelValues("applied").Add(float64(len(ps)))
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case errcode.IsBusiness(err):
			return err
		}
		s.retries.Inc()
		s.cfg.Logger.WarnContext(ctx, "applying messages failed; retrying", "subscriber", s.cfg.Name,
			"messages", len(ps), "topic", ps[0].msg.Topic, "partition", ps[0].msg.Partition, "offset", ps[0].msg.Offset, "err", err)
		if !sleep(ctx, backoff) {
			return ctx.Err()
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (s *Subscriber) apply(ctx context.Context, reqs []any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errcode.New(errcode.Invalid, "", "handler panicked: %v", r)
		}
	}()
	resp, err := s.e(ctx, reqs)
	if err != nil {
		return err
	}
	if f, ok := resp.(endpoint.Failer); ok {
		return f.Failed()
	}
	return nil
}

// deadLetter parks m with the reason, retrying until the dead-letter topic
// takes it: a message is never dropped silently.
func (s *Subscriber) deadLetter(ctx context.Context, m kafka.Message, reason error) error {
	headers := append(append([]kafka.Header{}, m.Headers...),
		kafka.Header{Key: "dlq-reason", Value: []byte(reason.Error())},
		kafka.Header{Key: "dlq-subscriber", Value: []byte(s.cfg.Name)},
		kafka.Header{Key: "dlq-topic", Value: []byte(m.Topic)},
		kafka.Header{Key: "dlq-partition", Value: []byte(strconv.Itoa(m.Partition))},
		kafka.Header{Key: "dlq-offset", Value: []byte(strconv.FormatInt(m.Offset, 10))},
	)
	dead := kafka.Message{Topic: s.cfg.DeadTopic, Key: m.Key, Value: m.Value, Headers: headers}
	backoff := 100 * time.Millisecond
	for {
		err := s.cfg.DeadLetter.WriteMessages(ctx, dead)
		if err == nil {
			break
		}
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return ctx.Err()
		}
		s.cfg.Logger.WarnContext(ctx, "dead-lettering failed; retrying", "subscriber", s.cfg.Name, "err", err)
		if !sleep(ctx, backoff) {
			return ctx.Err()
		}
		backoff = min(2*backoff, 5*time.Second)
	}
	s.outcomes.WithLabelValues("dead_lettered").Inc()
	// The reason names a field and a rule, never a value from the message.
	s.cfg.Logger.WarnContext(ctx, "message dead-lettered", "subscriber", s.cfg.Name,
		"topic", m.Topic, "partition", m.Partition, "offset", m.Offset, "code", errcode.Of(reason), "reason", reason.Error())
	return nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
