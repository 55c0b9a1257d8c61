package outbox_test

import (
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/percorsi/percorsi/pkg/outbox"
)

// Of several replicas' relays, one publishes; when it stops, another takes
// over at once; when its holder died, once the lease has run out. Every
// event is published, and by one relay.
func TestOneRelayPublishesAtATime(t *testing.T) {
	ctx := t.Context()
	coll := setup(t)
	cfg := outbox.RelayConfig{Poll: time.Hour, LeaseTTL: 3 * time.Second, Name: "svc"}
	pubs := []*recorder{{}, {}, {}}
	relays := make([]*outbox.Relay, len(pubs))
	stops := make([]func(), len(pubs))
	for i := range pubs {
		relays[i] = outbox.NewRelay(pubs[i], cfg, coll)
		stops[i] = run(t, relays[i])
	}
	n := 0
	store := func() {
		t.Helper()
		n++
		id := fmt.Sprint("d", n)
		if _, err := coll.InsertOne(ctx, doc{ID: id, Pending: outbox.NewPending([]outbox.Message{msg(fmt.Sprint("e", n), id)})}); err != nil {
			t.Fatal(err)
		}
		for _, r := range relays {
			r.Notify(coll.Name(), id) // as if each replica had stored it
		}
	}
	// publishing says which relays published what, once every event is out.
	publishing := func() []int {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			seen, by := map[string]int{}, []int{}
			for i, p := range pubs {
				ids := p.ids()
				if len(ids) > 0 {
					by = append(by, i)
				}
				for _, id := range ids {
					seen[id]++
				}
			}
			if len(seen) == n {
				for id, times := range seen {
					if times != 1 {
						t.Fatalf("%s published %d times: %v %v %v", id, times, pubs[0].ids(), pubs[1].ids(), pubs[2].ids())
					}
				}
				return by
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d events published", len(seen), n)
			}
		}
	}
	for range 5 {
		store()
	}
	by := publishing()
	if len(by) != 1 {
		t.Fatalf("relays %v published, want one", by)
	}
	holder := by[0]

	// A holder that stops hands over at once.
	stops[holder]()
	start := time.Now()
	store()
	publishing()
	t.Logf("handed over in %v after a clean stop", time.Since(start))

	// A holder that died keeps the lease until it runs out.
	for i := range stops {
		stops[i]()
	}
	expire := func(at time.Time) {
		t.Helper()
		if _, err := coll.Database().Collection(outbox.LeaseCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: "svc"}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "holder", Value: "dead"}, {Key: "expires", Value: at}}}}); err != nil {
			t.Fatal(err)
		}
	}
	expire(time.Now().Add(time.Hour))
	before := len(pubs[0].ids())
	run(t, relays[0])
	store()
	time.Sleep(2 * time.Second) // two claims
	if len(pubs[0].ids()) != before {
		t.Fatal("a relay published while a live holder's lease ran")
	}
	expire(time.Now())
	publishing()
}
