// Package store is the pathway service's MongoDB adapter.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

const (
	personsColl  = "persons"
	keysColl     = "keys"
	auditColl    = "audit"
	timelineColl = "timeline"
)

// Indexes returns what the service needs at start.
func Indexes() []mongostore.Index {
	return []mongostore.Index{
		{Collection: timelineColl, Keys: bson.D{{Key: "person", Value: 1}, {Key: "occurred_at", Value: 1}, {Key: "recorded_at", Value: 1}}},
		{Collection: personsColl, Keys: outbox.IndexKeys()},
		{Collection: auditColl, Keys: bson.D{{Key: "person", Value: 1}, {Key: "at", Value: 1}}},
		{Collection: personsColl, Keys: bson.D{{Key: "pending_to", Value: 1}}},
		{Collection: personsColl, Keys: bson.D{{Key: "organisation", Value: 1}}},
	}
}

// OutboxSources are the collections whose documents carry pending events.
func OutboxSources(db *mongo.Database) []*mongo.Collection {
	return []*mongo.Collection{db.Collection(personsColl)}
}

// Timeline implements domain.Timeline: one document per entry, keyed by
// event id, so that a redelivered event is a duplicate key and nothing more.
type Timeline struct{ c *mongo.Collection }

// NewTimeline returns the timeline store of db.
func NewTimeline(db *mongo.Database) *Timeline { return &Timeline{db.Collection(timelineColl)} }

type entryDoc struct {
	EventID      string         `bson:"_id"`
	Person       string         `bson:"person"`
	Type         string         `bson:"type"`
	Producer     string         `bson:"producer"`
	Organisation string         `bson:"organisation"`
	OccurredAt   time.Time      `bson:"occurred_at"`
	RecordedAt   time.Time      `bson:"recorded_at"`
	Attendance   *attendanceDoc `bson:"attendance,omitempty"`
	Fact         *factDoc       `bson:"fact,omitempty"`
}

type factDoc struct {
	Kind    domain.FactKind `bson:"kind"`
	Ref     string          `bson:"ref,omitempty"`
	Level   string          `bson:"level,omitempty"`
	Detail  string          `bson:"detail,omitempty"`
	On      time.Time       `bson:"on,omitempty"`
	Until   time.Time       `bson:"until,omitempty"`
	Flag    bool            `bson:"flag,omitempty"`
	Minutes int             `bson:"minutes,omitempty"`
	Total   int             `bson:"total,omitempty"`
	Planned int             `bson:"planned,omitempty"`
}

type attendanceDoc struct {
	CourseKind      string `bson:"course_kind"`
	ClassID         string `bson:"class_id"`
	LessonID        string `bson:"lesson_id"`
	Status          string `bson:"status"`
	Minutes         int    `bson:"minutes"`
	LessonMinutes   int    `bson:"lesson_minutes"`
	Correction      bool   `bson:"correction,omitempty"`
	PreviousStatus  string `bson:"previous_status,omitempty"`
	PreviousMinutes int    `bson:"previous_minutes,omitempty"`
}

func (s *Timeline) Add(ctx context.Context, entries ...*domain.Entry) error {
	docs := make([]entryDoc, len(entries))
	for i, e := range entries {
		docs[i] = entryDoc{
			EventID: e.EventID, Person: e.Person, Type: e.Type, Producer: e.Producer, Organisation: e.Organisation,
			OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt,
		}
		if a := e.Attendance; a != nil {
			docs[i].Attendance = (*attendanceDoc)(a)
		}
		if f := e.Fact; f != nil {
			docs[i].Fact = (*factDoc)(f)
		}
	}
	// Unordered: every new entry lands even when others were applied
	// before; those come back as duplicate keys, which is the point.
	_, err := s.c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil && !onlyDuplicates(err) {
		return fmt.Errorf("add %d timeline entries: %w", len(entries), mongostore.Translate(err))
	}
	return nil
}

// onlyDuplicates reports whether every write of a bulk insert that failed
// failed on a duplicate key.
func onlyDuplicates(err error) bool {
	var bulk mongo.BulkWriteException
	if !errors.As(err, &bulk) || bulk.WriteConcernError != nil || len(bulk.WriteErrors) == 0 {
		return false
	}
	for _, we := range bulk.WriteErrors {
		if we.Code != 11000 { // DuplicateKey
			return false
		}
	}
	return true
}

func (s *Timeline) List(ctx context.Context, person string) ([]domain.Entry, error) {
	es, err := s.read(ctx, bson.D{{Key: "person", Value: person}})
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", person, err)
	}
	return es, nil
}

// ListEach reads the timelines of persons in one query.
func (s *Timeline) ListEach(ctx context.Context, persons []string) (map[string][]domain.Entry, error) {
	es, err := s.read(ctx, bson.D{{Key: "person", Value: bson.D{{Key: "$in", Value: persons}}}})
	if err != nil {
		return nil, fmt.Errorf("timelines of %d people: %w", len(persons), err)
	}
	out := make(map[string][]domain.Entry, len(persons))
	for _, e := range es {
		out[e.Person] = append(out[e.Person], e)
	}
	return out, nil
}

// read returns the entries filter matches in timeline order.
func (s *Timeline) read(ctx context.Context, filter bson.D) ([]domain.Entry, error) {
	cur, err := s.c.Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "occurred_at", Value: 1}, {Key: "recorded_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, mongostore.Translate(err)
	}
	var docs []entryDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongostore.Translate(err)
	}
	return entries(docs), nil
}

// All returns every entry of every person.
func (s *Timeline) All(ctx context.Context) ([]domain.Entry, error) {
	cur, err := s.c.Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("all timelines: %w", mongostore.Translate(err))
	}
	var docs []entryDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("all timelines: %w", mongostore.Translate(err))
	}
	return entries(docs), nil
}

// Reset removes every entry: a replay rebuilds them. Dropping the
// collection is one operation, where deleting each entry is not.
func (s *Timeline) Reset(ctx context.Context) error {
	if err := s.c.Drop(ctx); err != nil {
		return fmt.Errorf("reset timeline: %w", mongostore.Translate(err))
	}
	return mongostore.EnsureIndexes(ctx, s.c.Database(), Indexes()[0])
}

func entries(docs []entryDoc) []domain.Entry {
	out := make([]domain.Entry, len(docs))
	for i, d := range docs {
		out[i] = domain.Entry{
			EventID: d.EventID, Person: d.Person, Type: d.Type, Producer: d.Producer, Organisation: d.Organisation,
			OccurredAt: d.OccurredAt.UTC(), RecordedAt: d.RecordedAt.UTC(),
		}
		if a := d.Attendance; a != nil {
			out[i].Attendance = (*domain.Attendance)(a)
		}
		if f := d.Fact; f != nil {
			fact := domain.Fact(*f)
			fact.On, fact.Until = utc(f.On), utc(f.Until)
			out[i].Fact = &fact
		}
	}
	return out
}
