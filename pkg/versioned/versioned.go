// Package versioned is the one way a service stores what changes: a
// MongoDB collection of documents, each holding a value's fields, its
// version and its outbox (pkg/outbox).
//
// A use case reads a value, changes it and builds the events of the
// change; the collection writes the new fields and appends the events in
// one single-document update conditioned on the version read, and tells
// the relay that events wait. A change made meanwhile, by this process or
// another, makes the write miss; Update then reads again and re-applies the
// change. MongoDB and the patched embedded store apply an update of one
// document atomically, so no write is applied to a stale read and a
// relay's clear of the outbox loses nothing.
package versioned

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
)

// ErrNoChange, returned by an Update's change, leaves the document as it
// is: the request was already applied (a retry), nothing is written.
var ErrNoChange = errors.New("versioned: no change")

// Config says how values of T are stored as fields F. F is a struct whose
// bson fields are the document's but _id, the version and the outbox.
type Config[T, F any] struct {
	// What names a document in errors: "register", "placement".
	What string
	// Fields is what is stored of a value.
	Fields func(*T) F
	// Value rebuilds a value from its stored document.
	Value func(id string, version int64, f *F) *T
	// VersionField names the stored version; "version" when empty.
	VersionField string
	// Legacy reads a document stored before versions were kept (without
	// the version field) as at version 1, and writes over it as such.
	Legacy bool
	// Notify is told of every write that left events to publish: the
	// relay's Notify. Nil: nobody is told (the relay's poll finds them).
	Notify outbox.Notifier
}

// Store is what a use case needs of a Collection of T: a service's
// store interfaces embed it, so tests may give them another.
type Store[T any] interface {
	Get(ctx context.Context, id string) (*T, error)
	Create(ctx context.Context, id string, t *T, events []outbox.Message) error
	Update(ctx context.Context, id string, change Change[T]) (*T, error)
}

// Collection stores values of T, one document each.
type Collection[T, F any] struct {
	c   *mongo.Collection
	cfg Config[T, F]
}

// New returns the collection c storing values as cfg says.
func New[T, F any](c *mongo.Collection, cfg Config[T, F]) *Collection[T, F] {
	if cfg.VersionField == "" {
		cfg.VersionField = "version"
	}
	if cfg.Notify == nil {
		cfg.Notify = func(string, any) {}
	}
	return &Collection[T, F]{c: c, cfg: cfg}
}

// Mongo is the underlying collection, for reads that need no value (a
// projection, a count).
func (s *Collection[T, F]) Mongo() *mongo.Collection { return s.c }

// doc is every stored document: its fields, its version and its outbox.
// The version is read here and written by Update alone, so F must not
// hold a field of the same name.
type doc[F any] struct {
	ID             string `bson:"_id"`
	Fields         F      `bson:",inline"`
	outbox.Pending `bson:",inline"`
	Rest           bson.M `bson:",inline"` // the version, under its configured name
}

func (s *Collection[T, F]) version(d *doc[F]) (int64, error) {
	switch v := d.Rest[s.cfg.VersionField].(type) {
	case int64:
		return v, nil
	case int32:
		return int64(v), nil
	case nil:
		if s.cfg.Legacy {
			return 1, nil
		}
	}
	return 0, errcode.New(errcode.Internal, "", "%s %s has no integer %s", s.cfg.What, d.ID, s.cfg.VersionField)
}

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// Get reads the value stored under id; NotFound when there is none.
func (s *Collection[T, F]) Get(ctx context.Context, id string) (*T, error) {
	t, _, err := s.get(ctx, id)
	return t, err
}

func (s *Collection[T, F]) get(ctx context.Context, id string) (*T, int64, error) {
	var d doc[F]
	if err := s.c.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return nil, 0, fmt.Errorf("%s %s: %w", s.cfg.What, id, mongostore.Translate(err))
	}
	return s.value(&d)
}

func (s *Collection[T, F]) value(d *doc[F]) (*T, int64, error) {
	version, err := s.version(d)
	if err != nil {
		return nil, 0, err
	}
	return s.cfg.Value(d.ID, version, &d.Fields), version, nil
}

// Find reads the values that filter selects, in the order opts give.
func (s *Collection[T, F]) Find(ctx context.Context, filter bson.D, opts ...options.Lister[options.FindOptions]) ([]*T, error) {
	cur, err := s.c.Find(ctx, filter, opts...)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", s.cfg.What, mongostore.Translate(err))
	}
	var docs []doc[F]
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read %s: %w", s.cfg.What, mongostore.Translate(err))
	}
	out := make([]*T, len(docs))
	for i := range docs {
		if out[i], _, err = s.value(&docs[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Doc is the document Create stores for t under id with events, for a
// bulk insert (a migration, a batch of new values).
func (s *Collection[T, F]) Doc(id string, t *T, events []outbox.Message) (bson.D, error) {
	d, err := marshal(doc[F]{ID: id, Fields: s.cfg.Fields(t), Pending: outbox.NewPending(events)})
	if err != nil {
		return nil, fmt.Errorf("create %s %s: %w", s.cfg.What, id, err)
	}
	return append(d, bson.E{Key: s.cfg.VersionField, Value: int64(1)}), nil
}

// Create stores t under id at version 1 with its events; Conflict when id
// is taken.
func (s *Collection[T, F]) Create(ctx context.Context, id string, t *T, events []outbox.Message) error {
	d, err := s.Doc(id, t, events)
	if err != nil {
		return err
	}
	if _, err := s.c.InsertOne(ctx, d); err != nil {
		return fmt.Errorf("create %s %s: %w", s.cfg.What, id, mongostore.Translate(err))
	}
	if len(events) > 0 {
		s.cfg.Notify(s.c.Name(), id)
	}
	return nil
}

// Load inserts values already lived elsewhere (a migration, a load
// driver's population) at version 1 with no events, id naming each, a
// thousand at a time, calling progress after each batch.
func (s *Collection[T, F]) Load(ctx context.Context, values []*T, id func(*T) string, progress func(done, total int)) error {
	docs := make([]any, len(values))
	for i, t := range values {
		d, err := s.Doc(id(t), t, nil)
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		docs[i] = d
	}
	return mongostore.InsertBatches(ctx, s.c, docs, progress)
}

// Change changes a value in place and returns the events of the change,
// or ErrNoChange.
type Change[T any] func(t *T) ([]outbox.Message, error)

// Update applies change to the value stored under id and stores the
// result with its events over the version read, reading again and
// re-applying change if that version moved on; NotFound when there is no
// value. change must depend only on its argument: it may run more than once.
func (s *Collection[T, F]) Update(ctx context.Context, id string, change Change[T]) (*T, error) {
	return s.update(ctx, id, nil, change)
}

// Upsert is Update, starting from start(id) when nothing is stored under id
// (and then creating it).
func (s *Collection[T, F]) Upsert(ctx context.Context, id string, start func(id string) *T, change Change[T]) (*T, error) {
	return s.update(ctx, id, start, change)
}

// Replace stores t under id in place of what is stored there, if
// anything, with no events: for seeding and a catalogue's puts. Pending
// events stay.
func (s *Collection[T, F]) Replace(ctx context.Context, id string, t *T) error {
	_, err := s.Upsert(ctx, id, func(string) *T { return t }, func(stored *T) ([]outbox.Message, error) {
		*stored = *t
		return nil, nil
	})
	return err
}

func (s *Collection[T, F]) update(ctx context.Context, id string, start func(string) *T, change Change[T]) (*T, error) {
	for range mongostore.Attempts(ctx) {
		t, version, err := s.get(ctx, id)
		if errcode.Of(err) == errcode.NotFound && start != nil {
			t, version, err = start(id), 0, nil
		}
		if err != nil {
			return nil, err
		}
		events, err := change(t)
		if errors.Is(err, ErrNoChange) {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		if version == 0 {
			err := s.Create(ctx, id, t, events)
			if errcode.Of(err) == errcode.Conflict {
				continue // created meanwhile: change what is stored
			}
			return t, err
		}
		stored, err := s.Put(ctx, id, version, t, events)
		if err != nil {
			return nil, err
		}
		if stored {
			return t, nil
		}
	}
	return nil, errcode.New(errcode.Unavailable, "", "%s %s keeps changing; try again", s.cfg.What, id)
}

// Put stores t with its events over version of id, for a use case that
// read the value itself; false if the stored version moved on.
func (s *Collection[T, F]) Put(ctx context.Context, id string, version int64, t *T, events []outbox.Message) (bool, error) {
	fields, err := marshal(s.cfg.Fields(t))
	if err != nil {
		return false, fmt.Errorf("update %s %s: %w", s.cfg.What, id, err)
	}
	set := append(fields, bson.E{Key: s.cfg.VersionField, Value: version + 1})
	update := outbox.Append(bson.D{{Key: "$set", Value: set}}, events)
	current := bson.D{{Key: "_id", Value: id}, {Key: s.cfg.VersionField, Value: version}}
	if s.cfg.Legacy && version == 1 {
		current[1].Value = bson.D{{Key: "$in", Value: bson.A{int64(1), nil}}}
	}
	res, err := s.c.UpdateOne(ctx, current, update)
	if err != nil {
		return false, fmt.Errorf("update %s %s: %w", s.cfg.What, id, mongostore.Translate(err))
	}
	if res.MatchedCount == 0 {
		return false, nil
	}
	if len(events) > 0 {
		s.cfg.Notify(s.c.Name(), id)
	}
	return true, nil
}

// marshal turns a fields struct into the bson.D that $set takes.
func marshal(v any) (bson.D, error) {
	b, err := bson.Marshal(v)
	if err != nil {
		return nil, errcode.Wrap(errcode.Internal, err, "encode document")
	}
	var d bson.D
	if err := bson.Unmarshal(b, &d); err != nil {
		return nil, errcode.Wrap(errcode.Internal, err, "encode document")
	}
	return d, nil
}
