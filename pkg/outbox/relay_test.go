package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
)

type doc struct {
	ID             string `bson:"_id"`
	N              int    `bson:"n"`
	outbox.Pending `bson:",inline"`
}

func msg(id, key string) outbox.Message {
	return outbox.Message{ID: id, Topic: "t", Key: key, Value: []byte(id), Type: "test"}
}

// recorder is a Publisher that remembers what it was given and can fail.
type recorder struct {
	mu   sync.Mutex
	got  []kafka.Message
	fail error
}

func (r *recorder) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.got = append(r.got, msgs...)
	return nil
}

func (r *recorder) ids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, m := range r.got {
		ids = append(ids, string(m.Value))
	}
	return ids
}

func setup(t *testing.T) *mongo.Collection {
	s := devstacktest.Start(t)
	db := devstacktest.Mongo(t, s).Database("outbox_test")
	devstacktest.EnsureIndexes(t, db, mongostore.Index{Collection: "docs", Keys: outbox.IndexKeys()})
	return db.Collection("docs")
}

func TestDrainPublishesInOrderAndClears(t *testing.T) {
	ctx := t.Context()
	coll := setup(t)
	// Stored in this order: a's events first, then b's.
	a := doc{ID: "a", Pending: outbox.NewPending([]outbox.Message{msg("e1", "p1"), msg("e2", "p1")})}
	b := doc{ID: "b", Pending: outbox.NewPending([]outbox.Message{msg("e3", "p1"), msg("e4", "p2")})}
	if _, err := coll.InsertMany(ctx, []any{b, a, doc{ID: "c", Pending: outbox.NewPending(nil)}}); err != nil {
		t.Fatal(err)
	}
	pub := &recorder{fail: errors.New("broker away")}
	r := outbox.NewRelay(pub, outbox.RelayConfig{}, coll)

	// Broker down: nothing published, nothing cleared.
	if _, err := r.Drain(ctx); err == nil {
		t.Fatal("drain succeeded with the broker away")
	}
	pub.fail = nil
	n, err := r.Drain(ctx)
	if err != nil || n != 4 {
		t.Fatalf("drain = %d, %v; want 4 events", n, err)
	}
	if got := fmt.Sprint(pub.ids()); got != "[e1 e2 e3 e4]" {
		t.Fatalf("published %s, want stored order [e1 e2 e3 e4]", got)
	}
	// Second pass: nothing left.
	if n, err := r.Drain(ctx); err != nil || n != 0 {
		t.Fatalf("second drain = %d, %v", n, err)
	}
	var stored doc
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&stored); err != nil {
		t.Fatal(err)
	}
	if stored.Waiting || len(stored.Events) != 0 {
		t.Fatalf("doc a not cleared: %+v", stored.Pending)
	}
}

// An event appended between the relay's read and its clear is not lost.
func TestAppendDuringPassSurvives(t *testing.T) {
	ctx := t.Context()
	coll := setup(t)
	if _, err := coll.InsertOne(ctx, doc{ID: "a", Pending: outbox.NewPending([]outbox.Message{msg("e1", "p")})}); err != nil {
		t.Fatal(err)
	}
	pub := &recorder{}
	r := outbox.NewRelay(hook{pub, func() {
		// Runs after the relay read the document, before it clears it.
		upd := outbox.Append(bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: 2}}}}, []outbox.Message{msg("e2", "p")})
		if _, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "a"}}, upd); err != nil {
			t.Error(err)
		}
	}}, outbox.RelayConfig{}, coll)
	if _, err := r.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	var a doc
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&a); err != nil {
		t.Fatal(err)
	}
	if a.N != 2 || !a.Waiting || len(a.Events) != 1 || a.Events[0].ID != "e2" {
		t.Fatalf("after concurrent append: n=%d pending=%+v", a.N, a.Pending)
	}
	if _, err := r.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(pub.ids()); got != "[e1 e2]" {
		t.Fatalf("published %s", got)
	}
}

type hook struct {
	outbox.Publisher
	after func()
}

func (h hook) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	err := h.Publisher.WriteMessages(ctx, msgs...)
	if h.after != nil {
		h.after()
	}
	return err
}

// Updates that append events, racing the relay's clears of the same
// documents, lose neither a fact nor an event: the store isolates each
// update of one document (the test runs on the patched embedded store), so
// no lock is needed: every update counts and every event is published.
func TestAppendsAndClearsNeverLoseEvents(t *testing.T) {
	ctx := t.Context()
	coll := setup(t)
	const docs, appends = 4, 25
	for d := range docs {
		if _, err := coll.InsertOne(ctx, doc{ID: fmt.Sprint(d), Pending: outbox.NewPending(nil)}); err != nil {
			t.Fatal(err)
		}
	}
	pub := &recorder{}
	r := outbox.NewRelay(pub, outbox.RelayConfig{}, coll)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := r.Drain(ctx); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for d := range docs {
		wg.Go(func() {
			for i := range appends {
				upd := outbox.Append(bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}, []outbox.Message{msg(fmt.Sprintf("e-%d-%d", d, i), "p")})
				_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint(d)}}, upd)
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for {
		n, err := r.Drain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	done <- struct{}{}
	<-done
	seen := map[string]bool{}
	for _, id := range pub.ids() {
		seen[id] = true
	}
	if len(seen) != docs*appends {
		t.Fatalf("%d distinct events published, want %d", len(seen), docs*appends)
	}
	for d := range docs {
		var stored doc
		if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint(d)}}).Decode(&stored); err != nil {
			t.Fatal(err)
		}
		if stored.N != appends {
			t.Fatalf("doc %d counts %d updates, want %d: an update was lost", d, stored.N, appends)
		}
	}
}

// stalled is a broker that stops answering without closing the
// connection, once: its first write waits until the caller gives up.
type stalled struct {
	recorder
	once sync.Once
}

func (s *stalled) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	stall := false
	s.once.Do(func() { stall = true })
	if stall {
		<-ctx.Done()
		return ctx.Err()
	}
	return s.recorder.WriteMessages(ctx, msgs...)
}

// A pass that hangs (a network partition: the broker, or the store, stops
// answering without closing the connection) fails after CallTimeout and is
// retried, instead of holding the relay for good, as make chaos found it
// doing after the store link of courses was cut.
func TestRunRetriesAPassThatHangs(t *testing.T) {
	coll := setup(t)
	if _, err := coll.InsertOne(t.Context(), doc{ID: "a", Pending: outbox.NewPending([]outbox.Message{msg("e1", "p1")})}); err != nil {
		t.Fatal(err)
	}
	pub := &stalled{}
	r := outbox.NewRelay(pub, outbox.RelayConfig{CallTimeout: 200 * time.Millisecond}, coll)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); fmt.Sprint(pub.ids()) != "[e1]"; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("published %v 10s after a hung pass, want [e1]", pub.ids())
		}
	}
}

// An event stamped after a pass began waits for a later pass, also when
// its document holds older events, which go now: the sources are read one
// after the other, and a fact stored in one already read must not be
// overtaken by a later fact found in the next.
func TestLaterEventsWaitForTheNextPass(t *testing.T) {
	ctx := t.Context()
	s := devstacktest.Start(t)
	db := devstacktest.Mongo(t, s).Database("outbox_test")
	devstacktest.EnsureIndexes(t, db,
		mongostore.Index{Collection: "first", Keys: outbox.IndexKeys()},
		mongostore.Index{Collection: "second", Keys: outbox.IndexKeys()})
	first, second := db.Collection("first"), db.Collection("second")
	old := outbox.NewPending([]outbox.Message{msg("e1", "p")})
	if _, err := first.InsertOne(ctx, doc{ID: "a", Pending: old}); err != nil {
		t.Fatal(err)
	}
	mixed := outbox.NewPending([]outbox.Message{msg("e2", "p")})
	e3 := msg("e3", "p")
	e3.Seq = time.Now().Add(time.Hour).UnixNano() // stamped after the pass began
	mixed.Events = append(mixed.Events, e3)
	if _, err := second.InsertOne(ctx, doc{ID: "b", Pending: mixed}); err != nil {
		t.Fatal(err)
	}
	pub := &recorder{}
	r := outbox.NewRelay(pub, outbox.RelayConfig{}, first, second)
	if n, err := r.Drain(ctx); err != nil || n != 2 {
		t.Fatalf("first pass = %d, %v; want the 2 events stamped before it", n, err)
	}
	var b doc
	if err := second.FindOne(ctx, bson.D{{Key: "_id", Value: "b"}}).Decode(&b); err != nil {
		t.Fatal(err)
	}
	if !b.Waiting || len(b.Events) != 1 || b.Events[0].ID != "e3" {
		t.Fatalf("doc b after the first pass: %+v, want e3 still pending", b.Pending)
	}
	// Until its time comes, later passes leave it be.
	if n, err := r.Drain(ctx); err != nil || n != 0 {
		t.Fatalf("second pass = %d, %v; want nothing", n, err)
	}
	if got := fmt.Sprint(pub.ids()); got != "[e1 e2]" {
		t.Fatalf("published %s, want [e1 e2]", got)
	}
}

// A scan that filled its batch is followed by another, without waiting
// for the poll.
func TestRunScansOnWhileBatchesAreFull(t *testing.T) {
	ctx := t.Context()
	coll := setup(t)
	if _, err := coll.InsertMany(ctx, []any{
		doc{ID: "a", Pending: outbox.NewPending([]outbox.Message{msg("e1", "p1")})},
		doc{ID: "b", Pending: outbox.NewPending([]outbox.Message{msg("e2", "p2")})},
		doc{ID: "c", Pending: outbox.NewPending([]outbox.Message{msg("e3", "p3")})},
	}); err != nil {
		t.Fatal(err)
	}
	pub := &recorder{}
	run(t, outbox.NewRelay(pub, outbox.RelayConfig{Batch: 1, Poll: time.Hour}, coll))
	waitPublished(t, pub, "[e1 e2 e3]")
}

// Between scans, a pass reads only the documents notified, by _id: one
// stored without a Notify waits for the next scan.
func TestRunReadsWhatIsNotified(t *testing.T) {
	ctx := t.Context()
	coll := setup(t)
	pub := &recorder{}
	r := outbox.NewRelay(pub, outbox.RelayConfig{Poll: time.Hour}, coll)
	stop := run(t, r)
	store := func(id, event string, notify bool) {
		t.Helper()
		if _, err := coll.InsertOne(ctx, doc{ID: id, Pending: outbox.NewPending([]outbox.Message{msg(event, "p-"+id)})}); err != nil {
			t.Fatal(err)
		}
		if notify {
			r.Notify(coll.Name(), id)
		}
	}
	// Found by the scan at start or read as notified: either way, once
	// published no scan follows, as it did not fill its batch.
	store("a", "e1", true)
	waitPublished(t, pub, "[e1]")

	store("b", "e2", false)
	store("c", "e3", true)
	r.Notify("elsewhere", "d") // not a source: ignored
	waitPublished(t, pub, "[e1 e3]")
	// Stopped once c is cleared: stopped before, the relay would leave it
	// to publish again, as it must.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var c doc
		if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "c"}}).Decode(&c); err != nil {
			t.Fatal(err)
		}
		if !c.Waiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("c still pending 20s after it was published")
		}
	}
	stop()
	if n, err := r.Drain(ctx); err != nil || n != 1 || fmt.Sprint(pub.ids()) != "[e1 e3 e2]" {
		t.Fatalf("scan = %d, %v, published %v; want e2 found", n, err, pub.ids())
	}
}

// run runs r until the test ends or the stop it returns is called.
func run(t *testing.T, r *outbox.Relay) (stop func()) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	stop = sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	t.Cleanup(stop)
	return stop
}

func waitPublished(t *testing.T, pub *recorder, want string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); fmt.Sprint(pub.ids()) != want; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("published %v, want %s", pub.ids(), want)
		}
	}
}
