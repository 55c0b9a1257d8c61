// Package outbox makes "stored and acknowledged" imply "eventually published"
// without multi-document transactions: a document carries its own pending
// events, written in the same single-document operation as the fact itself,
// and a Relay publishes them to Kafka and then clears them.
//
// A crash or a broker outage between publishing and clearing publishes an
// event again, never drops it: consumers deduplicate by event id.
package outbox

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/proto"

	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/tracectx"
)

// Field names the relay reads and writes in every source document.
const (
	fieldEvents  = "outbox"
	fieldPending = "outbox_pending" // indexed: the relay's only query
	fieldAt      = "outbox_at"      // the oldest pending event's Seq, for order
	fieldRev     = "outbox_rev"     // bumped on every append, so a clear never races one
)

// Message is one pending Kafka record.
type Message struct {
	ID          string `bson:"id"`
	Topic       string `bson:"topic"`
	Key         string `bson:"key"` // the person pseudonym
	Value       []byte `bson:"value"`
	Type        string `bson:"type"`
	TraceParent string `bson:"traceparent,omitempty"`
	// Seq orders events as they were stored; Stamp sets it.
	Seq int64 `bson:"seq"`
}

var lastSeq atomic.Int64

// stamped is a copy of msgs with increasing sequence numbers (nanoseconds
// since the epoch, strictly increasing within a process) in the order
// given: a copy, as the caller's messages may be written again (a retried
// update) or shared.
func stamped(msgs []Message) []Message {
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		m.Seq = nextSeq()
		out[i] = m
	}
	return out
}

// nextSeq is a sequence number above every one given before in this process.
func nextSeq() int64 {
	now := time.Now().UnixNano()
	for {
		last := lastSeq.Load()
		next := max(now, last+1)
		if lastSeq.CompareAndSwap(last, next) {
			return next
		}
	}
}

// Pending is embedded inline in a stored document that has events to publish:
//
//	type registerDoc struct {
//		ID string `bson:"_id"`
//		outbox.Pending `bson:",inline"`
//	}
type Pending struct {
	Events  []Message `bson:"outbox"`
	Waiting bool      `bson:"outbox_pending"`
	At      int64     `bson:"outbox_at,omitempty"`
	Rev     int64     `bson:"outbox_rev"`
}

// NewPending returns the outbox fields of a document inserted with msgs,
// stamping them.
func NewPending(msgs []Message) Pending {
	if len(msgs) == 0 {
		return Pending{Events: []Message{}}
	}
	msgs = stamped(msgs)
	return Pending{Events: msgs, Waiting: true, At: msgs[0].Seq, Rev: 1}
}

// Append adds to update (an UpdateOne's operators) the operators that append
// msgs to the stored document's outbox, so the changed fact and its events
// land together or not at all. No lock is needed around that update or the
// relay's clears: MongoDB, and the patched embedded store, apply an update
// of one document atomically.
func Append(update bson.D, msgs []Message) bson.D {
	if len(msgs) == 0 {
		return update
	}
	msgs = stamped(msgs)
	ops := bson.D{
		{Key: "$push", Value: bson.D{{Key: fieldEvents, Value: bson.D{{Key: "$each", Value: msgs}}}}},
		{Key: "$set", Value: bson.D{{Key: fieldPending, Value: true}}},
		{Key: "$min", Value: bson.D{{Key: fieldAt, Value: msgs[0].Seq}}},
		{Key: "$inc", Value: bson.D{{Key: fieldRev, Value: 1}}},
	}
	out := append(bson.D{}, update...)
next:
	for _, op := range ops {
		for i, e := range out {
			if e.Key == op.Key {
				fields, ok := e.Value.(bson.D)
				if !ok {
					panic("outbox.Append: operator " + e.Key + " must be a bson.D")
				}
				out[i].Value = append(append(bson.D{}, fields...), op.Value.(bson.D)...)
				continue next
			}
		}
		out = append(out, op)
	}
	return out
}

// Notifier is told of each document stored with events to publish, by
// collection and _id: a Relay's Notify.
type Notifier func(collection string, id any)

// IndexKeys is the index every source collection needs for the relay's query.
func IndexKeys() bson.D {
	return bson.D{{Key: fieldPending, Value: 1}, {Key: fieldAt, Value: 1}}
}

// Seal turns a fact into a pending message for topic, keyed by the person's
// pseudonym and carrying the trace of the request that caused it.
func Seal(ctx context.Context, topic string, meta events.Meta, payload proto.Message) (Message, error) {
	b, err := events.Marshal(meta, payload)
	if err != nil {
		return Message{}, fmt.Errorf("outbox: seal %s: %w", payload.ProtoReflect().Descriptor().Name(), err)
	}
	return Message{
		ID: meta.ID, Topic: topic, Key: meta.Person, Value: b,
		Type: string(payload.ProtoReflect().Descriptor().FullName()), TraceParent: tracectx.Parent(ctx),
	}, nil
}
