package outbox

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Publisher is what the relay needs of a Kafka writer; *kafka.Writer is one.
type Publisher interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Relay publishes the pending events of its source collections.
type Relay struct {
	sources []*mongo.Collection
	pub     Publisher
	log     *slog.Logger
	gate    *Gate
	batch   int64
	poll    time.Duration
	call    time.Duration // bound of each store or broker call
	wake    chan struct{}

	published prometheus.Counter
	failures  prometheus.Counter
	backlog   prometheus.Gauge
}

// RelayConfig tunes a Relay; zero values pick sensible defaults.
type RelayConfig struct {
	Batch int64 // documents per pass; default 200
	// Poll is the pass interval when nobody calls Notify: a safety net,
	// since every write that leaves events calls it. On a store that scans
	// (FerretDB v1) each pass reads every source collection whole, so a
	// short poll is a cost that grows with the data. Default 30s.
	Poll    time.Duration
	Logger  *slog.Logger
	Metrics prometheus.Registerer // nil: not registered
	Name    string                // metric label, e.g. the service name
	// Gate is shared with the stores that update documents carrying an
	// outbox; nil when documents are only ever inserted.
	Gate *Gate
	// CallTimeout fails a store or broker call of a pass that takes
	// longer, and with it the pass, to be retried: a connection that stops
	// answering without closing (a network partition) would otherwise hold
	// the relay for good, as kafka-go's metadata requests and a store read
	// in flight wait on the caller's context alone. It bounds each call,
	// not the whole pass, so that a long pass on a slow store is not cut
	// between publishing and clearing, which would publish it again.
	// Default 30s.
	CallTimeout time.Duration
}

// NewRelay returns a relay that publishes the pending events of sources
// through pub.
func NewRelay(pub Publisher, cfg RelayConfig, sources ...*mongo.Collection) *Relay {
	if cfg.Batch <= 0 {
		cfg.Batch = 200
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 30 * time.Second
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	labels := prometheus.Labels{"service": cfg.Name}
	r := &Relay{
		sources: sources,
		pub:     pub,
		log:     cfg.Logger,
		gate:    cfg.Gate,
		batch:   cfg.Batch,
		poll:    cfg.Poll,
		call:    cfg.CallTimeout,
		wake:    make(chan struct{}, 1),
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "percorsi_outbox_published_total", Help: "Events the relay published to Kafka.", ConstLabels: labels,
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "percorsi_outbox_failures_total", Help: "Relay passes that failed and will be retried.", ConstLabels: labels,
		}),
		backlog: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "percorsi_outbox_backlog", Help: "Pending events the relay's last pass found (before publishing), or left (after).", ConstLabels: labels,
		}),
	}
	if cfg.Metrics != nil {
		cfg.Metrics.MustRegister(r.published, r.failures, r.backlog)
	}
	return r
}

// Notify asks for a pass now; services call it after storing new events so
// that publishing does not wait for the poll interval. It never blocks.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run publishes until ctx ends. A failed pass (broker or store away) is
// retried with backoff; nothing is cleared that was not acknowledged by Kafka.
func (r *Relay) Run(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-r.wake:
		}
		_, more, err := r.pass(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			r.failures.Inc()
			r.log.Warn("outbox relay pass failed; retrying", "err", err, "backoff", backoff)
			timer.Reset(backoff)
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		if more {
			// A full batch, or events stamped after the pass began: soon,
			// not at once, so that a clock ahead of this one (another
			// replica's) does not make the relay spin.
			timer.Reset(deferred)
		} else {
			timer.Reset(r.poll)
		}
	}
}

// pendingDoc is what the relay reads of a source document. Events stay raw
// so that the clear can remove exactly what was published.
type pendingDoc struct {
	ID     any        `bson:"_id"`
	Events []bson.Raw `bson:"outbox"`
	Rev    int64      `bson:"outbox_rev"`
	coll   *mongo.Collection
	// published are the Events this pass publishes: those stamped before
	// it began.
	published []bson.Raw
}

// deferred is how soon a pass follows one that left events behind.
const deferred = 50 * time.Millisecond

// Drain makes one pass over every source and returns how many events it
// published.
func (r *Relay) Drain(ctx context.Context) (int, error) {
	n, _, err := r.pass(ctx)
	return n, err
}

// pass is Drain, also saying whether events were left for another pass:
// a source gave a full batch, or some were stamped after the pass began.
//
// The sources are read one after the other, so a fact stored in one after
// its source was read may be missed while a later fact of the same person,
// stored in a source read afterwards, is seen (housing starts the next
// step, then ends the previous one in another collection). Only events
// stamped before the pass began are published; a later one waits for the
// next pass, and with it whatever it followed.
func (r *Relay) pass(ctx context.Context) (int, bool, error) {
	cutoff := nextSeq()
	more := false
	var docs []pendingDoc
	for _, c := range r.sources {
		batch, err := r.pending(ctx, c)
		if err != nil {
			return 0, false, err
		}
		more = more || int64(len(batch)) == r.batch
		docs = append(docs, batch...)
	}

	var msgs []Message
	pending := 0
	for i := range docs {
		d := &docs[i]
		pending += len(d.Events)
		for _, raw := range d.Events {
			var m Message
			if err := bson.Unmarshal(raw, &m); err != nil {
				return 0, false, fmt.Errorf("outbox: decode pending event of %v in %s: %w", d.ID, d.coll.Name(), err)
			}
			if m.Seq >= cutoff {
				more = true
				continue
			}
			msgs = append(msgs, m)
			d.published = append(d.published, raw)
		}
	}
	r.backlog.Set(float64(pending))
	// Publish in the order the facts were stored, so each person's events
	// reach the partition of their key in order.
	slices.SortStableFunc(msgs, func(a, b Message) int { return cmp.Compare(a.Seq, b.Seq) })
	if len(msgs) > 0 {
		out := make([]kafka.Message, len(msgs))
		for i, m := range msgs {
			out[i] = kafka.Message{Topic: m.Topic, Key: []byte(m.Key), Value: m.Value, Headers: headers(m)}
		}
		call, cancel := context.WithTimeout(ctx, r.call)
		err := r.pub.WriteMessages(call, out...)
		cancel()
		if err != nil {
			return 0, false, fmt.Errorf("outbox: publish %d events: %w", len(out), err)
		}
	}
	if err := r.clear(ctx, docs); err != nil {
		return 0, false, err
	}
	r.published.Add(float64(len(msgs)))
	r.backlog.Set(float64(pending - len(msgs)))
	return len(msgs), more, nil
}

// pending reads the oldest documents of c with events to publish.
func (r *Relay) pending(ctx context.Context, c *mongo.Collection) ([]pendingDoc, error) {
	ctx, cancel := context.WithTimeout(ctx, r.call)
	defer cancel()
	cur, err := c.Find(ctx,
		bson.D{{Key: fieldPending, Value: true}},
		options.Find().
			SetSort(bson.D{{Key: fieldAt, Value: 1}}).
			SetLimit(r.batch).
			SetProjection(bson.D{{Key: fieldEvents, Value: 1}, {Key: fieldRev, Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("outbox: find pending in %s: %w", c.Name(), err)
	}
	var docs []pendingDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("outbox: read pending in %s: %w", c.Name(), err)
	}
	for i := range docs {
		docs[i].coll = c
	}
	return docs, nil
}

// clear removes published events. A document whose outbox changed since it
// was read (its rev moved), or that keeps events for the next pass, only
// loses the events that were published.
func (r *Relay) clear(ctx context.Context, docs []pendingDoc) error {
	for _, d := range docs {
		if len(d.Events) > 0 && len(d.published) == 0 {
			continue
		}
		if err := r.clearOne(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

func (r *Relay) clearOne(ctx context.Context, d pendingDoc) error {
	if r.gate != nil {
		defer r.gate.Lock(d.coll.Name(), d.ID)()
	}
	ctx, cancel := context.WithTimeout(ctx, r.call)
	defer cancel()
	if len(d.published) < len(d.Events) {
		return r.pull(ctx, d)
	}
	res, err := d.coll.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: d.ID}, {Key: fieldRev, Value: d.Rev}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: fieldEvents, Value: bson.A{}}, {Key: fieldPending, Value: false}}},
			{Key: "$unset", Value: bson.D{{Key: fieldAt, Value: ""}}},
		})
	if err != nil {
		return fmt.Errorf("outbox: clear %v in %s: %w", d.ID, d.coll.Name(), err)
	}
	if res.MatchedCount == 1 || len(d.Events) == 0 {
		return nil
	}
	return r.pull(ctx, d)
}

// pull removes the events d published from its outbox, leaving any other.
func (r *Relay) pull(ctx context.Context, d pendingDoc) error {
	// $pullAll of the exact documents read: FerretDB v1 ignores $pull
	// with a condition, and real MongoDB accepts both.
	published := make(bson.A, len(d.published))
	for i, raw := range d.published {
		published[i] = raw
	}
	_, err := d.coll.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: d.ID}},
		bson.D{{Key: "$pullAll", Value: bson.D{{Key: fieldEvents, Value: published}}}})
	if err != nil {
		return fmt.Errorf("outbox: pull published from %v in %s: %w", d.ID, d.coll.Name(), err)
	}
	return nil
}

func headers(m Message) []kafka.Header {
	h := []kafka.Header{{Key: "event-id", Value: []byte(m.ID)}, {Key: "event-type", Value: []byte(m.Type)}}
	if m.TraceParent != "" {
		h = append(h, kafka.Header{Key: "traceparent", Value: []byte(m.TraceParent)})
	}
	return h
}
