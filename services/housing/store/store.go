// Package store is the housing service's MongoDB adapter. Its bson structs
// are its own; the domain never sees them.
//
// It never updates a document that carries events: every fact after
// creation is a record of its own, inserted once under a unique id (a
// step's end, a month paid, a proposal's outcome, a lease); a record with
// events is created through versioned.Collection with the events the use
// case built. A place in an accommodation is a document whose unique id is
// the place's number, inserted to take it and deleted to free it; likewise
// a person in the housing pathway is a document keyed by pseudonym, so a
// person never has two open steps. A unique index is enforced atomically by every store, so
// racing requests cannot admit six people into three places. (The design
// dates from the stock embedded store, which did not isolate updates:
// there a conditional update did exactly that.)
package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/housing/domain"
)

// Collections.
const (
	accommodationsColl  = "accommodations"
	placesColl          = "places"
	stepsColl           = "steps"
	stepEndsColl        = "step_ends"
	housedColl          = "persons_housed"
	rentSupportsColl    = "rent_supports"
	rentPaymentsColl    = "rent_payments"
	rentSupportEndsColl = "rent_support_ends"
	offersColl          = "offers"
	takingsColl         = "offer_takings"
	profilesColl        = "profiles"
	proposalsColl       = "proposals"
	outcomesColl        = "proposal_outcomes"
	leasesColl          = "leases"
)

// Indexes returns what the service needs at start.
func Indexes() []mongostore.Index {
	idx := []mongostore.Index{
		{Collection: accommodationsColl, Keys: bson.D{{Key: "organisation", Value: 1}}},
		{Collection: placesColl, Keys: bson.D{{Key: "accommodation_id", Value: 1}}},
		// A step holds one place at most, even when its start is retried
		// by racing requests.
		{Collection: placesColl, Keys: bson.D{{Key: "step_id", Value: 1}}, Unique: true},
		{Collection: stepsColl, Keys: bson.D{{Key: "person", Value: 1}, {Key: "start", Value: 1}}},
		{Collection: stepsColl, Keys: bson.D{{Key: "organisation", Value: 1}, {Key: "start", Value: 1}}},
		{Collection: stepEndsColl, Keys: bson.D{{Key: "person", Value: 1}}},
		{Collection: stepEndsColl, Keys: bson.D{{Key: "organisation", Value: 1}}},
		{Collection: rentSupportsColl, Keys: bson.D{{Key: "person", Value: 1}}},
		{Collection: rentPaymentsColl, Keys: bson.D{{Key: "support_id", Value: 1}}},
		{Collection: offersColl, Keys: bson.D{{Key: "territory", Value: 1}}},
		{Collection: proposalsColl, Keys: bson.D{{Key: "person", Value: 1}}},
	}
	for _, c := range outboxColls {
		idx = append(idx, mongostore.Index{Collection: c, Keys: outbox.IndexKeys()})
	}
	return idx
}

// outboxColls hold documents that carry pending events.
var outboxColls = []string{stepsColl, stepEndsColl, rentSupportsColl, proposalsColl, leasesColl}

// OutboxSources are the collections whose documents carry pending events.
func OutboxSources(db *mongo.Database) []*mongo.Collection {
	out := make([]*mongo.Collection, len(outboxColls))
	for i, c := range outboxColls {
		out[i] = db.Collection(c)
	}
	return out
}

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

func get[D any](ctx context.Context, c *mongo.Collection, id, what string) (*D, error) {
	var d D
	if err := c.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, id, mongostore.Translate(err))
	}
	return &d, nil
}

func list[D any](ctx context.Context, c *mongo.Collection, filter bson.D, sort bson.D, what string) ([]D, error) {
	opts := options.Find()
	if sort != nil {
		opts.SetSort(sort)
	}
	cur, err := c.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, mongostore.Translate(err))
	}
	var ds []D
	if err := cur.All(ctx, &ds); err != nil {
		return nil, fmt.Errorf("read %s: %w", what, mongostore.Translate(err))
	}
	return ds, nil
}

// insert stores a new document; a duplicate id is Conflict naming field.
func insert(ctx context.Context, c *mongo.Collection, doc any, field, message string) error {
	if _, err := c.InsertOne(ctx, doc); err != nil {
		return conflict(fmt.Errorf("insert into %s: %w", c.Name(), mongostore.Translate(err)), field, message)
	}
	return nil
}

// conflict words a Conflict (a taken id) for the field at fault.
func conflict(err error, field, message string) error {
	if errcode.Of(err) == errcode.Conflict {
		return &errcode.Error{Code: errcode.Conflict, Field: field, Message: message, Err: err}
	}
	return err
}

// records returns the collection name of facts stored once with their
// events, as F. A record is never changed, so it is read as a plain
// document (those stored before records carried a version read the same).
func records[F any](db *mongo.Database, name, what string, notify outbox.Notifier) *versioned.Collection[F, F] {
	return versioned.New(db.Collection(name), versioned.Config[F, F]{
		What: what, Notify: notify,
		Fields: func(f *F) F { return *f },
		Value:  func(_ string, _ int64, f *F) *F { return f },
	})
}

// record is a record read back: its id and its fields.
type record[F any] struct {
	ID     string `bson:"_id"`
	Fields F      `bson:",inline"`
}

// create stores the record f under id with its events; a taken id is
// Conflict naming field.
func create[F any](ctx context.Context, c *versioned.Collection[F, F], id string, f F, events []outbox.Message, field, message string) error {
	return conflict(c.Create(ctx, id, &f, events), field, message)
}

// byIDs finds the documents of c with the given ids, by id.
func byIDs[D any](ctx context.Context, c *mongo.Collection, ids []string, id func(*D) string) (map[string]D, error) {
	out := map[string]D{}
	if len(ids) == 0 {
		return out, nil
	}
	ds, err := list[D](ctx, c, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, nil, c.Name())
	if err != nil {
		return nil, err
	}
	for i := range ds {
		out[id(&ds[i])] = ds[i]
	}
	return out, nil
}

// utc reads a stored time back in UTC (the driver returns local time).
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// Accommodations implements domain.Accommodations.
type Accommodations struct{ c *mongo.Collection }

// NewAccommodations returns the accommodation store of db.
func NewAccommodations(db *mongo.Database) *Accommodations {
	return &Accommodations{db.Collection(accommodationsColl)}
}

type accommodationDoc struct {
	ID           string    `bson:"_id"`
	Organisation string    `bson:"organisation"`
	Name         string    `bson:"name"`
	Kind         string    `bson:"kind"`
	Territory    string    `bson:"territory"`
	Address      string    `bson:"address"`
	Capacity     int       `bson:"capacity"`
	CreatedAt    time.Time `bson:"created_at"`
}

func (d *accommodationDoc) domain() domain.Accommodation {
	return domain.Accommodation{
		ID: d.ID, Organisation: d.Organisation, Name: d.Name, Kind: domain.Kind(d.Kind), Territory: d.Territory,
		Address: d.Address, Capacity: d.Capacity, CreatedAt: utc(d.CreatedAt),
	}
}

func (s *Accommodations) Create(ctx context.Context, a *domain.Accommodation) error {
	return insert(ctx, s.c, accommodationDoc{
		ID: a.ID, Organisation: a.Organisation, Name: a.Name, Kind: string(a.Kind), Territory: a.Territory,
		Address: a.Address, Capacity: a.Capacity, CreatedAt: a.CreatedAt,
	}, "id", "the accommodation already exists")
}

func (s *Accommodations) Get(ctx context.Context, id string) (*domain.Accommodation, error) {
	d, err := get[accommodationDoc](ctx, s.c, id, "accommodation")
	if err != nil {
		return nil, err
	}
	a := d.domain()
	return &a, nil
}

func (s *Accommodations) ByOrganisation(ctx context.Context, org string) ([]domain.Accommodation, error) {
	return s.find(ctx, bson.D{{Key: "organisation", Value: org}})
}

func (s *Accommodations) All(ctx context.Context) ([]domain.Accommodation, error) {
	return s.find(ctx, bson.D{})
}

func (s *Accommodations) find(ctx context.Context, filter bson.D) ([]domain.Accommodation, error) {
	ds, err := list[accommodationDoc](ctx, s.c, filter, bson.D{{Key: "_id", Value: 1}}, "accommodations")
	if err != nil {
		return nil, err
	}
	out := make([]domain.Accommodation, len(ds))
	for i := range ds {
		out[i] = ds[i].domain()
	}
	return out, nil
}
