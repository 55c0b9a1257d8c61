package hostile

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/outbox"
)

// state is everything a request could leave behind: a digest of every
// document of every collection (so an update shows, an outbox flag
// included, not only an insert) and the end offset of every partition.
type state map[string]string

// kept are traces a refusal leaves on purpose.
var kept = map[string]string{
	"percorsi_pathway.audit": "every access to a person's data is audited, a refused one too",
}

func snapshot(ctx context.Context, t *testing.T, dbs []*mongo.Database, brokers []string) state {
	t.Helper()
	s := state{}
	for _, db := range dbs {
		names, err := db.ListCollectionNames(ctx, bson.D{})
		if err != nil {
			t.Fatalf("%s: list collections: %v", db.Name(), err)
		}
		for _, name := range names {
			key := db.Name() + "." + name
			if _, ok := kept[key]; ok || name == outbox.LeaseCollection {
				continue // the relays' lease is renewed every few seconds, and holds nobody's data
			}
			cur, err := db.Collection(name).Find(ctx, bson.D{})
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			var docs []string
			for cur.Next(ctx) {
				sum := sha256.Sum256(cur.Current)
				docs = append(docs, string(sum[:]))
			}
			if err := cur.Err(); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			_ = cur.Close(ctx)
			sort.Strings(docs) // a store may return documents in any order
			sum := sha256.Sum256([]byte(strings.Join(docs, "")))
			s["mongo "+key] = fmt.Sprintf("%d documents %x", len(docs), sum[:6])
		}
	}
	client := &kafka.Client{Addr: kafka.TCP(brokers...)}
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		t.Fatalf("kafka metadata: %v", err)
	}
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for _, topic := range meta.Topics {
		for _, p := range topic.Partitions {
			req.Topics[topic.Name] = append(req.Topics[topic.Name], kafka.LastOffsetOf(p.ID))
		}
	}
	offsets, err := client.ListOffsets(ctx, req)
	if err != nil {
		t.Fatalf("kafka offsets: %v", err)
	}
	for topic, parts := range offsets.Topics {
		for _, p := range parts {
			if p.Error != nil {
				t.Fatalf("kafka offsets of %s/%d: %v", topic, p.Partition, p.Error)
			}
			s[fmt.Sprintf("kafka %s/%d", topic, p.Partition)] = fmt.Sprint(p.LastOffset)
		}
	}
	return s
}

// diff lists what changed from s to later.
func (s state) diff(later state) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(later)) {
		if s[k] != later[k] {
			out = append(out, fmt.Sprintf("%s: %q -> %q", k, s[k], later[k]))
		}
	}
	for k := range s {
		if _, ok := later[k]; !ok {
			out = append(out, k+": gone")
		}
	}
	return out
}
