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
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Lessons is the lesson collection.
type Lessons struct {
	*versioned.Collection[domain.Lesson, lessonFields]
}

// NewLessons returns the lesson store of db.
func NewLessons(db *mongo.Database) *Lessons {
	return &Lessons{versioned.New(db.Collection(lessonsColl), versioned.Config[domain.Lesson, lessonFields]{
		What: "lesson", Fields: toLessonFields, Value: toLesson, Legacy: true,
	})}
}

type lessonFields struct {
	ClassID string    `bson:"class_id"`
	Start   time.Time `bson:"start"`
	Minutes int       `bson:"minutes"`
	Status  string    `bson:"status"`
	Extra   bool      `bson:"extra,omitempty"`
}

func toLesson(id string, _ int64, d *lessonFields) *domain.Lesson {
	return &domain.Lesson{ID: id, ClassID: d.ClassID, Start: d.Start.UTC(), Minutes: d.Minutes, Status: domain.LessonStatus(d.Status), Extra: d.Extra}
}

func toLessonFields(l *domain.Lesson) lessonFields {
	return lessonFields{ClassID: l.ClassID, Start: l.Start, Minutes: l.Minutes, Status: string(l.Status), Extra: l.Extra}
}

// Add inserts the lessons in one unordered batch; lessons already stored
// (a generation run twice) are duplicates and left alone.
func (s *Lessons) Add(ctx context.Context, ls []domain.Lesson) error {
	if len(ls) == 0 {
		return nil
	}
	docs := make([]any, len(ls))
	for i := range ls {
		d, err := s.Doc(ls[i].ID, &ls[i], nil)
		if err != nil {
			return err
		}
		docs[i] = d
	}
	_, err := s.Mongo().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
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

// Between lists the lessons of classes starting in [from, to), by start.
func (s *Lessons) Between(ctx context.Context, classIDs []string, from, to time.Time) ([]*domain.Lesson, error) {
	if len(classIDs) == 0 {
		return nil, nil
	}
	filter := bson.D{
		{Key: "class_id", Value: bson.D{{Key: "$in", Value: classIDs}}},
		{Key: "start", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}},
	}
	return s.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "start", Value: 1}, {Key: "_id", Value: 1}}))
}
