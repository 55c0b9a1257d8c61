package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/percorsi/percorsi/e2e/load"
	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/kafkakit"
)

// BenchmarkPipeline measures registers (10 marks each) through
// HTTP -> courses store -> relay -> Kafka -> pathway consumer -> timeline,
// until the last mark is on its timeline. The Raw benchmarks beside it
// measure the parts' own limits on the same machine in the same run.
func BenchmarkPipeline(b *testing.B) {
	const classes, people = 10, 10
	lessons := max(1, (b.N+classes-1)/classes)
	r := newRig(b, shape{classes: classes, people: people, lessons: lessons})
	relay := startWorker(r.courses.Relay.Run)
	defer relay.stop(b)
	sub := startWorker(r.pathway.Subscriber().Run)
	defer sub.stop(b)
	b.ResetTimer()
	start := time.Now()
	acked := r.submitAll(b, 5)
	r.waitTimeline(b, int64(acked*people), 10*time.Minute)
	took := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(acked)/took.Seconds(), "registers/s")
	b.ReportMetric(float64(acked*people)/took.Seconds(), "marks/s")
}

// BenchmarkRawStoreInsertMany is the embedded store's bulk insert limit, in
// batches of 1000 documents the size of a timeline entry.
func BenchmarkRawStoreInsertMany(b *testing.B) {
	coll := devstacktest.Mongo(b, devstacktest.Start(b)).Database("raw").Collection("docs")
	ctx := context.Background()
	const batch = 1000
	docs := make([]any, batch)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		for j := range docs {
			docs[j] = bson.D{
				{Key: "_id", Value: fmt.Sprintf("%08d-%04d", i, j)}, {Key: "person", Value: "ps-00-00"},
				{Key: "type", Value: "percorsi.courses.v1.AttendanceRecorded"}, {Key: "occurred_at", Value: time.Now()},
				{Key: "attendance", Value: bson.D{{Key: "lesson_id", Value: "l-00-000"}, {Key: "status", Value: "present"}, {Key: "minutes", Value: 120}}},
			}
		}
		if _, err := coll.InsertMany(ctx, docs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "docs/s")
}

// BenchmarkRawBrokerProduce is the embedded broker's produce limit with
// acks=all, in batches of 1000 messages of an event's size.
func BenchmarkRawBrokerProduce(b *testing.B) {
	s := devstacktest.Start(b, "raw")
	w := kafkakit.NewWriter(s.KafkaBrokers())
	defer w.Close()
	const batch = 1000
	value := make([]byte, 300)
	msgs := make([]kafka.Message, batch)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		for j := range msgs {
			msgs[j] = kafka.Message{Topic: "raw", Key: fmt.Appendf(nil, "ps-%d", (i*batch+j)%500), Value: value}
		}
		if err := w.WriteMessages(context.Background(), msgs...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkRawBrokerConsume is the embedded broker's consume limit through
// a consumer group, committing in batches as the subscriber does.
func BenchmarkRawBrokerConsume(b *testing.B) {
	s := devstacktest.Start(b, "raw")
	w := kafkakit.NewWriter(s.KafkaBrokers())
	defer w.Close()
	n := b.N * 1000
	value := make([]byte, 300)
	for off := 0; off < n; off += 1000 {
		msgs := make([]kafka.Message, min(1000, n-off))
		for j := range msgs {
			msgs[j] = kafka.Message{Topic: "raw", Key: fmt.Appendf(nil, "ps-%d", j%500), Value: value}
		}
		if err := w.WriteMessages(context.Background(), msgs...); err != nil {
			b.Fatal(err)
		}
	}
	r := kafkakit.NewReader(s.KafkaBrokers(), "raw-bench", "raw")
	defer r.Close()
	b.ResetTimer()
	start := time.Now()
	for i := range n {
		m, err := r.FetchMessage(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if i%1000 == 999 || i == n-1 {
			if err := r.CommitMessages(context.Background(), m); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkRawStoreByID is the embedded store's single-document read and
// version-guarded update by _id (every optimistic write of the services) as
// the collection grows from a thousand to a million documents of about 500
// bytes: an index lookup stays flat, a scan grows with the collection.
// Each size reports the p50 and p99 of the operation besides ns/op.
func BenchmarkRawStoreByID(b *testing.B) {
	coll := devstacktest.Mongo(b, devstacktest.Start(b)).Database("raw").Collection("docs")
	ctx := context.Background()
	padding := strings.Repeat("x", 300)
	id := func(i int) string { return fmt.Sprintf("ps-%07d", i) }
	var versions []int64
	for _, size := range []int{1_000, 10_000, 100_000, 1_000_000} {
		start := time.Now()
		for len(versions) < size {
			docs := make([]any, min(1000, size-len(versions)))
			for j := range docs {
				docs[j] = bson.D{
					{Key: "_id", Value: id(len(versions) + j)}, {Key: "version", Value: int64(0)},
					{Key: "organisation", Value: "coop-aurora"}, {Key: "stage", Value: "training"},
					{Key: "updated_at", Value: time.Now()}, {Key: "notes", Value: padding},
				}
			}
			if _, err := coll.InsertMany(ctx, docs); err != nil {
				b.Fatal(err)
			}
			versions = append(versions, make([]int64, len(docs))...)
		}
		b.Logf("%d documents (grown in %s)", size, time.Since(start).Round(time.Millisecond))
		rng := rand.New(rand.NewPCG(uint64(size), 1))
		b.Run(fmt.Sprintf("FindOne/docs=%d", size), func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for range b.N {
				t0 := time.Now()
				if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id(rng.IntN(size))}}).Err(); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			reportPercentiles(b, lat)
		})
		b.Run(fmt.Sprintf("UpdateByIDAndVersion/docs=%d", size), func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for range b.N {
				i := rng.IntN(size)
				t0 := time.Now()
				res, err := coll.UpdateOne(ctx,
					bson.D{{Key: "_id", Value: id(i)}, {Key: "version", Value: versions[i]}},
					bson.D{{Key: "$set", Value: bson.D{{Key: "version", Value: versions[i] + 1}, {Key: "updated_at", Value: time.Now()}}}})
				if err != nil || res.ModifiedCount != 1 {
					b.Fatalf("update %s at version %d: %v, %+v", id(i), versions[i], err, res)
				}
				lat = append(lat, time.Since(t0))
				versions[i]++
			}
			reportPercentiles(b, lat)
		})
	}
}

// reportPercentiles reports the p50 and p99 of lat in milliseconds.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(load.Percentile(lat, 50))/float64(time.Millisecond), "p50-ms")
	b.ReportMetric(float64(load.Percentile(lat, 99))/float64(time.Millisecond), "p99-ms")
}
