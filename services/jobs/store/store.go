// Package store is the jobs service's MongoDB adapter. Its bson structs
// are its own; the domain never sees them. Every write that has facts to
// publish stores them in the same single-document write (pkg/outbox), and
// every change of an existing document is conditional on the version read,
// so that concurrent changes (two clicks on one employer link) are applied
// one after the other, never both on the same state.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/jobs/domain"
)

// Collections.
const (
	profilesColl   = "profiles"
	employersColl  = "employers"
	vacanciesColl  = "vacancies"
	proposalsColl  = "proposals"
	placementsColl = "placements"
)

// Indexes returns what the service needs at start: every query below uses
// one of them on a real MongoDB.
func Indexes() []mongostore.Index {
	idx := []mongostore.Index{
		{Collection: profilesColl, Keys: bson.D{{Key: "organisation", Value: 1}, {Key: "active", Value: 1}}},
		{Collection: vacanciesColl, Keys: bson.D{{Key: "status", Value: 1}, {Key: "closes_on", Value: 1}}},
		{Collection: vacanciesColl, Keys: bson.D{{Key: "employer_id", Value: 1}}},
		{Collection: proposalsColl, Keys: bson.D{{Key: "vacancy_id", Value: 1}, {Key: "person", Value: 1}}, Unique: true},
		{Collection: placementsColl, Keys: bson.D{{Key: "proposal_id", Value: 1}}, Unique: true},
		{Collection: placementsColl, Keys: bson.D{{Key: "organisation", Value: 1}}},
		{Collection: placementsColl, Keys: bson.D{{Key: "employer_id", Value: 1}}},
		{Collection: placementsColl, Keys: bson.D{{Key: "status", Value: 1}, {Key: "unconfirmed_raised", Value: 1}, {Key: "confirm_due", Value: 1}}},
	}
	for _, c := range []string{profilesColl, vacanciesColl, proposalsColl, placementsColl} {
		idx = append(idx, mongostore.Index{Collection: c, Keys: outbox.IndexKeys()})
	}
	return idx
}

// OutboxSources are the collections whose documents carry pending events.
func OutboxSources(db *mongo.Database) []*mongo.Collection {
	return []*mongo.Collection{
		db.Collection(profilesColl), db.Collection(vacanciesColl),
		db.Collection(proposalsColl), db.Collection(placementsColl),
	}
}

// SealFunc turns the facts of a write into the events stored with it; the
// service provides it.
type SealFunc func(ctx context.Context, facts []domain.Fact) ([]outbox.Message, error)

// Writes is what every store of the service shares: how facts become
// events and whom to tell that events wait.
type Writes struct {
	Seal      SealFunc
	OnPending outbox.Notifier
}

// doc is every stored document: its fields, its version and its outbox.
type doc[F any] struct {
	ID             string `bson:"_id"`
	Fields         F      `bson:",inline"`
	Version        int64  `bson:"version"`
	outbox.Pending `bson:",inline"`
}

// versioned is a collection of T stored as F fields.
type versioned[T, F any] struct {
	c        *mongo.Collection
	what     string
	w        Writes
	toFields func(*T) F
	fromDoc  func(id string, version int64, f *F) *T
	empty    func(id string) *T // what Update starts from when id is unknown; nil: NotFound
}

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

func (s *versioned[T, F]) get(ctx context.Context, id string) (*T, int64, error) {
	var d doc[F]
	if err := s.c.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return nil, 0, fmt.Errorf("%s %s: %w", s.what, id, mongostore.Translate(err))
	}
	return s.fromDoc(d.ID, d.Version, &d.Fields), d.Version, nil
}

func (s *versioned[T, F]) find(ctx context.Context, filter bson.D) ([]*T, error) {
	cur, err := s.c.Find(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", s.what, mongostore.Translate(err))
	}
	var docs []doc[F]
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read %s: %w", s.what, mongostore.Translate(err))
	}
	out := make([]*T, len(docs))
	for i := range docs {
		out[i] = s.fromDoc(docs[i].ID, docs[i].Version, &docs[i].Fields)
	}
	return out, nil
}

func (s *versioned[T, F]) create(ctx context.Context, id string, t *T, facts []domain.Fact) error {
	msgs, err := s.w.Seal(ctx, facts)
	if err != nil {
		return err
	}
	d := doc[F]{ID: id, Fields: s.toFields(t), Version: 1, Pending: outbox.NewPending(msgs)}
	if _, err := s.c.InsertOne(ctx, d); err != nil {
		return fmt.Errorf("create %s %s: %w", s.what, id, mongostore.Translate(err))
	}
	if len(msgs) > 0 {
		s.w.OnPending(s.c.Name(), id)
	}
	return nil
}

// update applies fn to id and stores the result over the version read,
// trying again if it moved on. The version in the update's filter keeps
// concurrent writers right, across processes too: MongoDB and the patched
// embedded store apply an update of one document atomically, so none is
// applied to a stale read, and a relay's clear loses nothing of it.
func (s *versioned[T, F]) update(ctx context.Context, id string, fn func(*T) ([]domain.Fact, error)) (*T, error) {
	for range mongostore.Attempts(ctx) {
		t, version, err := s.get(ctx, id)
		if errcode.Of(err) == errcode.NotFound && s.empty != nil {
			t, version, err = s.empty(id), 0, nil
		}
		if err != nil {
			return nil, err
		}
		facts, err := fn(t)
		if errors.Is(err, domain.ErrNoChange) {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		if version == 0 {
			err := s.create(ctx, id, t, facts)
			if errcode.Of(err) == errcode.Conflict {
				continue // created meanwhile: apply fn to what is stored
			}
			return t, err
		}
		stored, err := s.replace(ctx, id, version, t, facts)
		if err != nil {
			return nil, err
		}
		if stored {
			return t, nil
		}
	}
	return nil, errcode.New(errcode.Unavailable, "", "%s %s keeps changing; try again", s.what, id)
}

// replace stores t over version of id, with facts; false if the stored
// version moved on.
func (s *versioned[T, F]) replace(ctx context.Context, id string, version int64, t *T, facts []domain.Fact) (bool, error) {
	msgs, err := s.w.Seal(ctx, facts)
	if err != nil {
		return false, err
	}
	fields, err := asD(s.toFields(t))
	if err != nil {
		return false, fmt.Errorf("update %s %s: %w", s.what, id, err)
	}
	set := append(fields, bson.E{Key: "version", Value: version + 1})
	update := outbox.Append(bson.D{{Key: "$set", Value: set}}, msgs)
	res, err := s.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: version}}, update)
	if err != nil {
		return false, fmt.Errorf("update %s %s: %w", s.what, id, mongostore.Translate(err))
	}
	if res.MatchedCount == 0 {
		return false, nil
	}
	if len(msgs) > 0 {
		s.w.OnPending(s.c.Name(), id)
	}
	return true, nil
}

// asD turns a fields struct into the bson.D that $set takes.
func asD(v any) (bson.D, error) {
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

// utc reads back a stored time in UTC; the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}
