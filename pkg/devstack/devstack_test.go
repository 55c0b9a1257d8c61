package devstack_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/devstack"
)

// The stand-ins speak the real wire protocols through the real drivers, and
// Kafka keeps records and committed offsets across a restart.
func TestStackSurvivesKafkaRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	const topic = "devstack.test"
	s, err := devstack.Start(ctx, devstack.Config{Dir: t.TempDir(), Topics: []string{topic}, Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	client, err := mongo.Connect(options.Client().ApplyURI(s.MongoURI()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	coll := client.Database("devstack").Collection("things")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}, {Key: "n", Value: 1}}); err != nil {
		t.Fatalf("insert: %v", err)
	}
	var got struct{ N int }
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&got); err != nil || got.N != 1 {
		t.Fatalf("find: %v %+v", err, got)
	}

	w := &kafka.Writer{Addr: kafka.TCP(s.KafkaBrokers()...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	if err := w.WriteMessages(ctx, kafka.Message{Key: []byte("k"), Value: []byte("one")}); err != nil {
		t.Fatalf("produce: %v", err)
	}
	w.Close()

	read := func() string {
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: s.KafkaBrokers(), GroupID: "g", Topic: topic, MaxWait: 50 * time.Millisecond})
		defer r.Close()
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("fetch: %v", err)
		}
		if err := r.CommitMessages(ctx, m); err != nil {
			t.Fatalf("commit: %v", err)
		}
		return string(m.Value)
	}
	if v := read(); v != "one" {
		t.Fatalf("read %q", v)
	}

	s.StopKafka()
	if err := s.StartKafka(); err != nil {
		t.Fatal(err)
	}
	w = &kafka.Writer{Addr: kafka.TCP(s.KafkaBrokers()...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	defer w.Close()
	if err := w.WriteMessages(ctx, kafka.Message{Key: []byte("k"), Value: []byte("two")}); err != nil {
		t.Fatalf("produce after restart: %v", err)
	}
	// The committed offset survived: the group resumes after "one".
	if v := read(); v != "two" {
		t.Fatalf("after restart read %q, want two", v)
	}
}

// Two clients (two processes, as the services are) updating one document at
// once never lose a write: the embedded MongoDB isolates a read-change-write
// (third_party/ferretdb/PATCHES). Stock FerretDB v1 lost some of these
// increments, a version-guarded update and an upsert.
func TestStackIsolatesUpdates(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	s, err := devstack.Start(ctx, devstack.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	const clients, updates = 4, 50
	colls := make([]*mongo.Collection, clients)
	for i := range colls {
		c, err := mongo.Connect(options.Client().ApplyURI(s.MongoURI()))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Disconnect(ctx)
		colls[i] = c.Database("devstack").Collection("counters")
	}
	var wg sync.WaitGroup
	var guarded atomic.Int64
	for _, coll := range colls {
		wg.Go(func() {
			for range updates {
				// an $inc of a document that one of the clients creates
				if _, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "inc"}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}, options.UpdateOne().SetUpsert(true)); err != nil {
					t.Error(err)
					return
				}
				// a version-guarded read-change-write, as the services' stores do
				var cur struct{ Version int64 }
				err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "ver"}}).Decode(&cur)
				if err != nil && err != mongo.ErrNoDocuments {
					t.Error(err)
					return
				}
				res, err := coll.UpdateOne(ctx,
					bson.D{{Key: "_id", Value: "ver"}, {Key: "version", Value: cur.Version}},
					bson.D{{Key: "$set", Value: bson.D{{Key: "version", Value: cur.Version + 1}}}})
				if err != nil {
					t.Error(err)
					return
				}
				guarded.Add(res.ModifiedCount)
			}
		})
	}
	if _, err := colls[0].InsertOne(ctx, bson.D{{Key: "_id", Value: "ver"}, {Key: "version", Value: int64(0)}}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	var inc struct{ N int }
	if err := colls[0].FindOne(ctx, bson.D{{Key: "_id", Value: "inc"}}).Decode(&inc); err != nil {
		t.Fatal(err)
	}
	if inc.N != clients*updates {
		t.Errorf("$inc from %d clients: n = %d, want %d (writes lost)", clients, inc.N, clients*updates)
	}
	var ver struct{ Version int64 }
	if err := colls[0].FindOne(ctx, bson.D{{Key: "_id", Value: "ver"}}).Decode(&ver); err != nil {
		t.Fatal(err)
	}
	if ver.Version != guarded.Load() {
		t.Errorf("version-guarded updates: %d acknowledged as modified, version is %d (writes lost)", guarded.Load(), ver.Version)
	}
}
