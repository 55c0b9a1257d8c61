package outbox

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// LeaseCollection holds, in each service's database, the lease that elects
// the one relay of the service's replicas that publishes.
const LeaseCollection = "outbox_leases"

// lease is a relay's claim to be the one that publishes. It lives in the
// service's own store rather than in Kafka's group membership: the store is
// what the relay reads and clears anyway, so a replica cut off from it
// cannot publish and does not need to hold anything, and a claim is one
// single-document update that MongoDB and the patched embedded store apply
// atomically. The holder renews it every third of its TTL; a holder that
// dies or stops is replaced once the TTL has run out. A holder paused past
// its TTL may finish the pass it began after a successor started: the
// successor then publishes some events again, which consumers absorb by
// event id, and the clears, conditioned on the outbox's revision, lose
// nothing. Replicas' clocks must agree to well within the TTL.
type lease struct {
	c      *mongo.Collection
	name   string // _id of the lease document: the service
	holder string // this relay: host and process
	ttl    time.Duration
	until  time.Time // held until, by this process's clock; zero when not held
	tried  time.Time // last claim, held or not
	// others is whether another relay stood by at the last renewal: then
	// writes made on its replica are notified to nobody that publishes, so
	// the holder scans every second rather than every Poll.
	others bool
}

func newLease(db *mongo.Database, name string, ttl time.Duration) *lease {
	host, _ := os.Hostname()
	if name == "" {
		name = "relay"
	}
	return &lease{
		c: db.Collection(LeaseCollection), name: name, ttl: ttl,
		holder: fmt.Sprintf("%s/%d/%d", host, os.Getpid(), time.Now().UnixNano()),
	}
}

// hold says whether this relay holds the lease now, claiming or renewing it
// when a third of the TTL has passed since the last claim; gained is true
// when it was not held before. A nil lease (a relay without sources) is
// always held.
func (l *lease) hold(ctx context.Context) (held, gained bool, err error) {
	if l == nil {
		return true, false, nil
	}
	now := time.Now()
	if now.Sub(l.tried) < l.ttl/3 {
		return now.Before(l.until), false, nil
	}
	l.tried = now
	was := now.Before(l.until)
	filter := bson.D{{Key: "_id", Value: l.name}, {Key: "$or", Value: bson.A{
		bson.D{{Key: "holder", Value: l.holder}},
		bson.D{{Key: "expires", Value: bson.D{{Key: "$lt", Value: now}}}},
	}}}
	claim := bson.D{{Key: "$set", Value: bson.D{{Key: "holder", Value: l.holder}, {Key: "expires", Value: now.Add(l.ttl)}}}}
	var doc struct {
		StandBy time.Time `bson:"standby"`
	}
	err = l.c.FindOneAndUpdate(ctx, filter, claim, options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&doc)
	if mongo.IsDuplicateKeyError(err) { // held by another, and not expired
		l.until = time.Time{}
		_, err = l.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: l.name}}, bson.D{{Key: "$set", Value: bson.D{{Key: "standby", Value: now}}}})
		if err != nil {
			return false, false, fmt.Errorf("outbox: stand by for the relay lease: %w", err)
		}
		return false, false, nil
	}
	if err != nil {
		l.tried = time.Time{} // try again at the next call
		return now.Before(l.until), false, fmt.Errorf("outbox: claim the relay lease: %w", err)
	}
	l.until = now.Add(l.ttl)
	l.others = now.Sub(doc.StandBy) < l.ttl
	return true, !was, nil
}

// scanEvery is how often the holder scans, given Poll: every second while
// others stand by.
func (l *lease) scanEvery(poll time.Duration) time.Duration {
	if l != nil && l.others {
		return min(poll, time.Second)
	}
	return poll
}

// release lets a successor take over at once: a relay that stops calls it.
func (l *lease) release(ctx context.Context) {
	if l == nil || l.until.IsZero() {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	_, _ = l.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: l.name}, {Key: "holder", Value: l.holder}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "expires", Value: time.Unix(0, 0)}}}})
	l.until = time.Time{}
}
