package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/services/training/domain"
)

// Lessons implements domain.Lessons.
type Lessons struct{ c *mongo.Collection }

// NewLessons returns the lesson store of db.
func NewLessons(db *mongo.Database) *Lessons { return &Lessons{db.Collection(lessonsColl)} }

type lessonDoc struct {
	ID        string    `bson:"_id"`
	EditionID string    `bson:"edition_id"`
	ModuleID  string    `bson:"module_id"`
	Start     time.Time `bson:"start"`
	Minutes   int       `bson:"minutes"`
	Cancelled bool      `bson:"cancelled,omitempty"`
}

func (d *lessonDoc) domain() *domain.Lesson {
	return &domain.Lesson{ID: d.ID, EditionID: d.EditionID, ModuleID: d.ModuleID, Start: d.Start.UTC(), Minutes: d.Minutes, Cancelled: d.Cancelled}
}

func (s *Lessons) Get(ctx context.Context, id string) (*domain.Lesson, error) {
	d, err := get[lessonDoc](ctx, s.c, id, "lesson")
	if err != nil {
		return nil, err
	}
	return d.domain(), nil
}

// Add inserts the lessons in one unordered batch. A lesson already stored
// for the same edition (a retried creation) is left alone; an id taken by
// another edition is a Conflict naming it, with nothing inserted.
func (s *Lessons) Add(ctx context.Context, ls []domain.Lesson) error {
	if len(ls) == 0 {
		return nil
	}
	ids := make([]string, len(ls))
	docs := make([]any, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
		docs[i] = lessonDoc{ID: l.ID, EditionID: l.EditionID, ModuleID: l.ModuleID, Start: l.Start, Minutes: l.Minutes, Cancelled: l.Cancelled}
	}
	if err := s.taken(ctx, ls, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}); err != nil {
		return err
	}
	_, err := s.c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bulk mongo.BulkWriteException
	if errors.As(err, &bulk) && bulk.WriteConcernError == nil && allDuplicates(bulk.WriteErrors) {
		// Inserted meanwhile: by a retry of the same creation, or taken.
		return s.taken(ctx, ls, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	}
	if err != nil {
		return fmt.Errorf("add %d lessons: %w", len(ls), mongostore.Translate(err))
	}
	return nil
}

// taken returns a Conflict naming the first of ls whose id a stored lesson
// of another edition holds.
func (s *Lessons) taken(ctx context.Context, ls []domain.Lesson, filter bson.D) error {
	stored, err := find[lessonDoc](ctx, s.c, filter, nil, "lessons")
	if err != nil {
		return err
	}
	owner := make(map[string]string, len(stored))
	for _, d := range stored {
		owner[d.ID] = d.EditionID
	}
	for i, l := range ls {
		if e, ok := owner[l.ID]; ok && e != l.EditionID {
			return errcode.New(errcode.Conflict, fmt.Sprintf("lessons[%d].id", i), "is taken by another edition")
		}
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

func (s *Lessons) OfEdition(ctx context.Context, editionID string) ([]*domain.Lesson, error) {
	ds, err := find[lessonDoc](ctx, s.c, bson.D{{Key: "edition_id", Value: editionID}}, bson.D{{Key: "start", Value: 1}, {Key: "_id", Value: 1}}, "lessons")
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Lesson, len(ds))
	for i := range ds {
		out[i] = ds[i].domain()
	}
	return out, nil
}
