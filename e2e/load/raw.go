package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/kafkakit"
)

// rawTopic is where the broker's own limits are measured.
const rawTopic = "load.raw"

// idReads are the reads by _id measured at each size.
const idReads = 500

// Limits are the raw limits of the parts on this machine, measured in the
// same run: what the system's figures are ratios to.
type Limits struct {
	InsertManyDocsPerSec float64
	// IDRead is the latency of FindOne by _id on a collection of Size
	// documents: an index lookup, flat whatever the size.
	IDRead []IDRead
	// GuardedUpdate is the latency of an UpdateOne filtered by _id and a
	// version, as every optimistic write of the services is, on the
	// largest collection measured.
	GuardedUpdate           IDRead
	ProduceMsgsPerSec       float64
	ConsumeMsgsPerSec       float64
	HTTPReqPerSec           float64
	HTTPP50                 time.Duration
	HTTPClients             int
	BrokerMessages, Batches int
}

// IDRead is the single-document read latency at one collection size.
type IDRead struct {
	Size     int
	P50, P99 time.Duration
}

// guardedUpdates are the updates by _id and version measured.
const guardedUpdates = 200

// MeasureStore inserts documents the size of a timeline entry in batches
// of 1000 until the collection holds each of sizes (ascending), reading
// idReads random documents by _id at each, and at the last size also
// updating guardedUpdates of them by _id and version; then drops them.
func MeasureStore(ctx context.Context, uri string, sizes []int, progress func(string, ...any)) (insertPerSec float64, reads []IDRead, guarded IDRead, err error) {
	client, err := connect(uri)
	if err != nil {
		return 0, nil, guarded, err
	}
	defer client.Disconnect(context.WithoutCancel(ctx))
	coll := client.Database("load_raw").Collection("docs")
	defer coll.Database().Drop(context.WithoutCancel(ctx))
	const batch = 1000
	var (
		inserted  int
		insertDur time.Duration
		docs      = make([]any, batch)
	)
	for _, size := range sizes {
		for inserted < size {
			n := min(batch, size-inserted)
			for j := range n {
				docs[j] = bson.D{
					{Key: "_id", Value: fmt.Sprintf("raw-%08d", inserted+j)}, {Key: "version", Value: 1}, {Key: "person", Value: pseudonym((inserted + j) % 50000)},
					{Key: "type", Value: "percorsi.courses.v1.AttendanceRecorded"}, {Key: "occurred_at", Value: time.Now()},
					{Key: "attendance", Value: bson.D{{Key: "lesson_id", Value: "le-0000-000"}, {Key: "status", Value: "present"}, {Key: "minutes", Value: 120}}},
				}
			}
			t0 := time.Now()
			if _, err := coll.InsertMany(ctx, docs[:n], options.InsertMany().SetOrdered(false)); err != nil {
				return 0, nil, guarded, fmt.Errorf("raw store: insert: %w", err)
			}
			insertDur += time.Since(t0)
			inserted += n
		}
		progress("raw store: %d documents, reading by _id", size)
		var lat []time.Duration
		for i := range idReads {
			id := fmt.Sprintf("raw-%08d", int(hash(strconv.Itoa(i)))%size)
			t0 := time.Now()
			if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err(); err != nil {
				return 0, nil, guarded, fmt.Errorf("raw store: read %s: %w", id, err)
			}
			lat = append(lat, time.Since(t0))
		}
		slices.Sort(lat)
		reads = append(reads, IDRead{Size: size, P50: Percentile(lat, 50), P99: Percentile(lat, 99)})
		if size == sizes[len(sizes)-1] {
			progress("raw store: %d documents, updating by _id and version", size)
			if guarded, err = measureGuarded(ctx, coll, size); err != nil {
				return 0, nil, guarded, err
			}
		}
	}
	return float64(inserted) / insertDur.Seconds(), reads, guarded, nil
}

// measureGuarded updates guardedUpdates documents of coll, which holds
// size, by _id and version, as the services' optimistic writes do.
func measureGuarded(ctx context.Context, coll *mongo.Collection, size int) (IDRead, error) {
	var lat []time.Duration
	for i := range guardedUpdates {
		id := fmt.Sprintf("raw-%08d", i*(size/guardedUpdates)) // each once: the next would miss its version
		t0 := time.Now()
		res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: 1}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "version", Value: 2}}}})
		if err != nil {
			return IDRead{}, fmt.Errorf("raw store: update %s: %w", id, err)
		}
		if res.MatchedCount != 1 {
			return IDRead{}, fmt.Errorf("raw store: update %s matched %d documents", id, res.MatchedCount)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	return IDRead{Size: size, P50: Percentile(lat, 50), P99: Percentile(lat, 99)}, nil
}

// MeasureBroker produces n messages of an event's size in batches of 1000
// with acks=all, then consumes them through a consumer group committing
// every 1000, as the services do.
func MeasureBroker(ctx context.Context, brokers []string, n int) (produce, consume float64, err error) {
	if err := ensureTopic(brokers[0], rawTopic); err != nil {
		return 0, 0, err
	}
	w := kafkakit.NewWriter(brokers)
	defer w.Close()
	value := make([]byte, 300)
	msgs := make([]kafka.Message, 1000)
	t0 := time.Now()
	for off := 0; off < n; off += len(msgs) {
		batch := msgs[:min(len(msgs), n-off)]
		for j := range batch {
			batch[j] = kafka.Message{Topic: rawTopic, Key: fmt.Appendf(nil, "ps-%06d", (off+j)%500), Value: value}
		}
		if err := w.WriteMessages(ctx, batch...); err != nil {
			return 0, 0, fmt.Errorf("raw broker: produce: %w", err)
		}
	}
	produce = float64(n) / time.Since(t0).Seconds()
	r := kafkakit.NewReader(brokers, "load-raw", rawTopic)
	defer r.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	t0 = time.Now()
	for i := range n {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return 0, 0, fmt.Errorf("raw broker: consume %d of %d: %w", i, n, err)
		}
		if i%1000 == 999 || i == n-1 {
			if err := r.CommitMessages(ctx, m); err != nil {
				return 0, 0, fmt.Errorf("raw broker: commit: %w", err)
			}
		}
	}
	return produce, float64(n) / time.Since(t0).Seconds(), nil
}

// MeasureHTTP is a bare net/http handler's limit over loopback: clients
// keep-alive connections sending small requests for d, as the load's
// users do against the services.
func MeasureHTTP(ctx context.Context, clients int, d time.Duration) (reqPerSec float64, p50 time.Duration, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, fmt.Errorf("raw http: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	})}
	go srv.Serve(ln)
	defer srv.Close()
	client := newClient(clients)
	url := "http://" + ln.Addr().String() + "/"
	var (
		n    atomic.Int64
		mu   sync.Mutex
		lat  []time.Duration
		wg   sync.WaitGroup
		errs atomic.Int64
	)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil {
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t0))
				n.Add(1)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if e := errs.Load(); e > 0 {
		return 0, 0, fmt.Errorf("raw http: %d requests failed", e)
	}
	slices.Sort(lat)
	return float64(n.Load()) / time.Since(start).Seconds(), Percentile(lat, 50), nil
}

// newClient is the HTTP client of the load's users: keep-alive, enough
// idle connections for every concurrent user, a timeout no user would
// wait past.
func newClient(conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = conns*4, conns*2
	return &http.Client{Transport: tr, Timeout: requestTimeout}
}

// requestTimeout is how long a user waits for an answer.
const requestTimeout = 30 * time.Second

// ensureTopic creates topic on the broker at addr, the embedded one's
// controller, unless it is there already.
func ensureTopic(addr, topic string) error {
	conn, err := kafka.Dial("tcp", addr)
	if err != nil {
		return fmt.Errorf("raw broker: %w", err)
	}
	defer conn.Close()
	err = conn.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: 6, ReplicationFactor: 1})
	if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		return fmt.Errorf("raw broker: create %s: %w", topic, err)
	}
	return nil
}

// connect is the driver's own client of the store. Its reads and writes
// are large (a batch of a thousand, every timeline) and the store is slow
// under load, so it waits longer than a service's client would.
func connect(uri string) (*mongo.Client, error) {
	c, err := mongo.Connect(options.Client().ApplyURI(uri).SetTimeout(2 * time.Minute).SetAppName("percorsi-load"))
	if err != nil {
		return nil, fmt.Errorf("load: connect to the store: %w", err)
	}
	return c, nil
}
