package outbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
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
	sources  []*mongo.Collection
	pub      Publisher
	log      *slog.Logger
	batch    int64
	poll     time.Duration
	call     time.Duration // bound of each store or broker call
	wake     chan struct{}
	byName   map[string]*mongo.Collection
	lease    *lease // nil without sources
	leaseTTL time.Duration

	mu    sync.Mutex
	hints map[hint]struct{} // documents notified since their last read

	published prometheus.Counter
	failures  prometheus.Counter
	backlog   prometheus.Gauge
	held      prometheus.Gauge
}

// RelayConfig tunes a Relay; zero values pick sensible defaults.
type RelayConfig struct {
	Batch int64 // documents per pass; default 200
	// Poll is the interval between scans, the passes that search every
	// source for pending events rather than read the documents notified:
	// a safety net, since every write that leaves events calls Notify (of
	// its own process: a write another replica made, or one whose process
	// died before it notified, waits for a scan). A relay scans at start
	// too, for what a crash left behind. A scan is one indexed query per
	// source. Default 10s.
	Poll    time.Duration
	Logger  *slog.Logger
	Metrics prometheus.Registerer // nil: not registered
	Name    string                // metric label, e.g. the service name
	// CallTimeout fails a store or broker call of a pass that takes
	// longer, and with it the pass, to be retried: a connection that stops
	// answering without closing (a network partition) would otherwise hold
	// the relay for good, as kafka-go's metadata requests and a store read
	// in flight wait on the caller's context alone. It bounds each call,
	// not the whole pass, so that a long pass on a slow store is not cut
	// between publishing and clearing, which would publish it again.
	// Default 30s.
	CallTimeout time.Duration
	// LeaseTTL is how long the relay lease lasts unrenewed: of the relays
	// of a service's replicas, the one holding it publishes, the others
	// stand by, and one takes over within LeaseTTL of the holder's death
	// (at once when it stops cleanly). Default 10s.
	LeaseTTL time.Duration
}

// NewRelay returns a relay that publishes the pending events of sources
// through pub.
func NewRelay(pub Publisher, cfg RelayConfig, sources ...*mongo.Collection) *Relay {
	if cfg.Batch <= 0 {
		cfg.Batch = 200
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 10 * time.Second
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 30 * time.Second
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	labels := prometheus.Labels{"service": cfg.Name}
	r := &Relay{
		sources:  sources,
		pub:      pub,
		log:      cfg.Logger,
		batch:    cfg.Batch,
		poll:     cfg.Poll,
		call:     cfg.CallTimeout,
		wake:     make(chan struct{}, 1),
		byName:   map[string]*mongo.Collection{},
		leaseTTL: cfg.LeaseTTL,
		hints:    map[hint]struct{}{},
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "percorsi_outbox_published_total", Help: "Events the relay published to Kafka.", ConstLabels: labels,
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "percorsi_outbox_failures_total", Help: "Relay passes that failed and will be retried.", ConstLabels: labels,
		}),
		backlog: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "percorsi_outbox_backlog", Help: "Events pending at the relay's last pass: those it found, less those it published (0 while it stands by).", ConstLabels: labels,
		}),
		held: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "percorsi_outbox_lease_held", Help: "1 while this replica's relay holds the lease and publishes, 0 while it stands by.", ConstLabels: labels,
		}),
	}
	if cfg.Metrics != nil {
		cfg.Metrics.MustRegister(r.published, r.failures, r.backlog, r.held)
	}
	for _, c := range sources {
		r.byName[c.Name()] = c
	}
	if len(sources) > 0 {
		r.lease = newLease(sources[0].Database(), cfg.Name, cfg.LeaseTTL)
	}
	return r
}

// hint names a document stored with events to publish.
type hint struct {
	collection string
	id         any
}

// Notify tells the relay that the document id of collection was stored
// with events to publish, and asks for a pass now: services call it after
// each such write. The pass reads the documents notified by _id, the one
// lookup every store answers without a search. It never blocks.
func (r *Relay) Notify(collection string, id any) {
	r.mu.Lock()
	r.hints[hint{collection, id}] = struct{}{}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run publishes until ctx ends, while it holds the lease (see
// RelayConfig.LeaseTTL). A failed pass (broker or store away) is retried
// with backoff; nothing is cleared that was not acknowledged by Kafka. A
// scan whose search fails (a store slower than CallTimeout) is tried again
// at the next poll, so that it never holds back what is notified meanwhile.
func (r *Relay) Run(ctx context.Context) error {
	defer r.lease.release(ctx)
	backoff := 100 * time.Millisecond
	scan := true // what a crash left behind was notified to nobody
	lastScan := time.Now()
	// tick renews the lease, stands by for it, and starts the scans.
	tick := time.NewTicker(min(r.poll, time.Second, r.leaseTTL/3))
	defer tick.Stop()
	soon := time.NewTimer(0)
	defer soon.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			scan = scan || time.Since(lastScan) >= r.lease.scanEvery(r.poll)
		case <-r.wake:
		case <-soon.C:
		}
		held, gained, err := r.lease.hold(ctx)
		if err != nil {
			r.log.Warn("outbox relay could not claim its lease", "err", err)
		}
		if !held {
			r.standBy()
			continue
		}
		r.held.Set(1)
		if gained {
			scan = true // what the previous holder left, and writes notified to other replicas
		}
		if scan {
			lastScan = time.Now()
		}
		res, err := r.pass(ctx, scan)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			r.failures.Inc()
			r.log.Warn("outbox relay pass failed; retrying", "err", err, "backoff", backoff)
			soon.Reset(backoff)
			backoff = min(2*backoff, 5*time.Second)
			continue
		case res.searchErr != nil:
			r.failures.Inc()
			r.log.Warn("outbox relay scan failed; scanning again at the next poll", "err", res.searchErr, "poll", r.poll)
		}
		backoff = 100 * time.Millisecond
		scan = res.left == leftToScan
		if res.left != leftNothing {
			// Soon, not at once, so that events stamped by a clock ahead
			// of this one (another replica's) do not make the relay spin.
			soon.Reset(deferred)
		}
	}
}

// standBy forgets what was notified, which the holder's scans find, and
// reports nothing pending, so that the replicas' backlogs add up to the
// holder's.
func (r *Relay) standBy() {
	r.mu.Lock()
	clear(r.hints)
	r.mu.Unlock()
	r.held.Set(0)
	r.backlog.Set(0)
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

// Drain makes one pass that also searches every source (a scan) and
// returns how many events it published.
func (r *Relay) Drain(ctx context.Context) (int, error) {
	res, err := r.pass(ctx, true)
	if err == nil {
		err = res.searchErr
	}
	return res.published, err
}

// left is what a pass leaves for the next one.
type left int

const (
	leftNothing  left = iota
	leftNotified      // documents notified: more than a batch, or events stamped after the pass began
	leftToScan        // a scan filled its batch
)

// passResult is what a pass did.
type passResult struct {
	published int
	left      left
	// searchErr is the failure of a scan's search; the pass went on with
	// the documents notified.
	searchErr error
}

// pass publishes the pending events of the documents notified and, with
// scan, of those a search of every source finds.
//
// The sources are read one after the other, so a fact stored in one after
// its source was read may be missed while a later fact of the same person,
// stored in a source read afterwards, is seen (housing starts the next
// step, then ends the previous one in another collection). Only events
// stamped before the pass began are published; a later one waits for the
// next pass, and with it whatever it followed.
func (r *Relay) pass(ctx context.Context, scan bool) (res passResult, err error) {
	cutoff := nextSeq()
	hints, more := r.takeHints()
	if more {
		res.left = leftNotified
	}
	// Whatever fails, the documents notified are read again next time.
	defer func() {
		if err != nil {
			r.hint(hints...)
		}
	}()
	docs, err := r.notified(ctx, hints)
	if err != nil {
		return passResult{}, err
	}
	if scan {
		var full bool
		docs, full, res.searchErr = r.search(ctx, docs)
		if full {
			res.left = leftToScan
		}
	}

	var msgs []Message
	pending := 0
	for i := range docs {
		d := &docs[i]
		pending += len(d.Events)
		for _, raw := range d.Events {
			var m Message
			if err := bson.Unmarshal(raw, &m); err != nil {
				return passResult{}, fmt.Errorf("outbox: decode pending event of %v in %s: %w", d.ID, d.coll.Name(), err)
			}
			if m.Seq >= cutoff {
				r.hint(hint{d.coll.Name(), d.ID})
				res.left = max(res.left, leftNotified)
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
			return passResult{}, fmt.Errorf("outbox: publish %d events: %w", len(out), err)
		}
	}
	// Published: cleared even if ctx ends meanwhile, so that a relay that
	// stops leaves its successor nothing to publish again.
	if err := r.clear(context.WithoutCancel(ctx), docs); err != nil {
		return passResult{}, err
	}
	r.published.Add(float64(len(msgs)))
	r.backlog.Set(float64(pending - len(msgs)))
	res.published = len(msgs)
	return res, nil
}

// search adds to docs, the documents notified, those of every source with
// events to publish, each document once, and says whether a source filled
// its batch. It stops at the first source that fails, leaving docs as given.
func (r *Relay) search(ctx context.Context, docs []pendingDoc) ([]pendingDoc, bool, error) {
	seen := map[hint]bool{}
	for _, d := range docs {
		seen[hint{d.coll.Name(), d.ID}] = true
	}
	out, full := docs, false
	for _, c := range r.sources {
		batch, err := r.pending(ctx, c)
		if err != nil {
			return docs, false, err
		}
		full = full || int64(len(batch)) == r.batch
		for _, d := range batch {
			if !seen[hint{c.Name(), d.ID}] {
				out = append(out, d)
			}
		}
	}
	return out, full, nil
}

// takeHints takes up to a batch of the documents notified, and says
// whether more are left.
func (r *Relay) takeHints() ([]hint, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var hs []hint
	for h := range r.hints {
		if int64(len(hs)) == r.batch {
			return hs, true
		}
		hs = append(hs, h)
		delete(r.hints, h)
	}
	return hs, false
}

// hint notes documents to read in a later pass.
func (r *Relay) hint(hs ...hint) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range hs {
		r.hints[h] = struct{}{}
	}
}

// notified reads the documents of hs that still have events to publish,
// each by _id.
func (r *Relay) notified(ctx context.Context, hs []hint) ([]pendingDoc, error) {
	var docs []pendingDoc
	for _, h := range hs {
		c, ok := r.byName[h.collection]
		if !ok {
			// Not a source: a scan would not find it either.
			r.log.Error("outbox: notified of a document outside the relay's sources", "collection", h.collection)
			continue
		}
		call, cancel := context.WithTimeout(ctx, r.call)
		var d pendingDoc
		err := c.FindOne(call, bson.D{{Key: "_id", Value: h.id}}, options.FindOne().SetProjection(pendingFields)).Decode(&d)
		cancel()
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			continue
		case err != nil:
			return nil, fmt.Errorf("outbox: read notified %v in %s: %w", h.id, c.Name(), err)
		}
		if len(d.Events) > 0 {
			d.coll = c
			docs = append(docs, d)
		}
	}
	return docs, nil
}

// pendingFields is the projection of what the relay reads of a document.
var pendingFields = bson.D{{Key: fieldEvents, Value: 1}, {Key: fieldRev, Value: 1}}

// pending reads the oldest documents of c with events to publish.
func (r *Relay) pending(ctx context.Context, c *mongo.Collection) ([]pendingDoc, error) {
	ctx, cancel := context.WithTimeout(ctx, r.call)
	defer cancel()
	cur, err := c.Find(ctx,
		bson.D{{Key: fieldPending, Value: true}},
		options.Find().
			SetSort(bson.D{{Key: fieldAt, Value: 1}}).
			SetLimit(r.batch).
			SetProjection(pendingFields))
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
// loses the events that were published. Each clear is a single update of one
// document, which MongoDB and the patched embedded store apply atomically,
// so no lock keeps it apart from the stores' appends.
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
