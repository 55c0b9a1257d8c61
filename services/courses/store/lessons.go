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
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Lessons implements domain.Lessons.
type Lessons struct{ c *mongo.Collection }

// NewLessons returns the lesson store of db.
func NewLessons(db *mongo.Database) *Lessons { return &Lessons{db.Collection(lessonsColl)} }

type lessonDoc struct {
	ID      string    `bson:"_id"`
	ClassID string    `bson:"class_id"`
	Start   time.Time `bson:"start"`
	Minutes int       `bson:"minutes"`
	Status  string    `bson:"status"`
	Extra   bool      `bson:"extra,omitempty"`
}

func (d *lessonDoc) domain() *domain.Lesson {
	return &domain.Lesson{ID: d.ID, ClassID: d.ClassID, Start: d.Start.UTC(), Minutes: d.Minutes, Status: domain.LessonStatus(d.Status), Extra: d.Extra}
}

func toLessonDoc(l *domain.Lesson) lessonDoc {
	return lessonDoc{ID: l.ID, ClassID: l.ClassID, Start: l.Start, Minutes: l.Minutes, Status: string(l.Status), Extra: l.Extra}
}

func (s *Lessons) Get(ctx context.Context, id string) (*domain.Lesson, error) {
	d, err := get[lessonDoc](ctx, s.c, id, "lesson")
	if err != nil {
		return nil, err
	}
	return d.domain(), nil
}

func (s *Lessons) Put(ctx context.Context, l *domain.Lesson) error {
	if _, err := s.c.ReplaceOne(ctx, byID(l.ID), toLessonDoc(l), options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("put lesson %s: %w", l.ID, mongostore.Translate(err))
	}
	return nil
}

// Add inserts the lessons in one unordered batch; lessons already stored
// (a generation run twice) are duplicates and left alone.
func (s *Lessons) Add(ctx context.Context, ls []domain.Lesson) error {
	if len(ls) == 0 {
		return nil
	}
	docs := make([]any, len(ls))
	for i := range ls {
		docs[i] = toLessonDoc(&ls[i])
	}
	_, err := s.c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bulk mongo.BulkWriteException
	if errors.As(err, &bulk) && bulk.WriteConcernError == nil && allDuplicates(bulk.WriteErrors) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("add %d lessons: %w", len(ls), mongostore.Translate(err))
	}
	return nil
}

func allDuplicates(errs []mongo.BulkWriteError) bool {
	for _, e := range errs {
		if e.Code != 11000 {
			return false
		}
	}
	return true
}

func (s *Lessons) Between(ctx context.Context, classIDs []string, from, to time.Time) ([]*domain.Lesson, error) {
	if len(classIDs) == 0 {
		return nil, nil
	}
	filter := bson.D{
		{Key: "class_id", Value: bson.D{{Key: "$in", Value: classIDs}}},
		{Key: "start", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}},
	}
	ds, err := find[lessonDoc](ctx, s.c, filter, options.Find().SetSort(bson.D{{Key: "start", Value: 1}, {Key: "_id", Value: 1}}), "lessons")
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Lesson, len(ds))
	for i := range ds {
		out[i] = ds[i].domain()
	}
	return out, nil
}
