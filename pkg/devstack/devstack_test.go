package devstack_test

import (
	"context"
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
