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
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/training/domain"
)

// Lessons is the schedule. A lesson stored before versions were kept is
// at its first write.
type Lessons struct {
	*versioned.Collection[domain.Lesson, lessonFields]
}

// NewLessons returns the lesson store of db.
func NewLessons(db *mongo.Database) *Lessons {
	return &Lessons{versioned.New(db.Collection(lessonsColl), versioned.Config[domain.Lesson, lessonFields]{
		What: "lesson", Fields: toLessonFields, Value: toLesson, Legacy: true,
	})}
}

// lessonFields keep false flags: an update's $set must write them.
type lessonFields struct {
	EditionID string    `bson:"edition_id"`
	ModuleID  string    `bson:"module_id"`
	Start     time.Time `bson:"start"`
	Minutes   int       `bson:"minutes"`
	Cancelled bool      `bson:"cancelled"`
	Recorded  bool      `bson:"recorded"`
	Extra     bool      `bson:"extra,omitempty"`
}

func toLessonFields(l *domain.Lesson) lessonFields {
	return lessonFields{EditionID: l.EditionID, ModuleID: l.ModuleID, Start: l.Start, Minutes: l.Minutes, Cancelled: l.Cancelled, Recorded: l.Recorded, Extra: l.Extra}
}

func toLesson(id string, _ int64, d *lessonFields) *domain.Lesson {
	return &domain.Lesson{ID: id, EditionID: d.EditionID, ModuleID: d.ModuleID, Start: d.Start.UTC(), Minutes: d.Minutes, Cancelled: d.Cancelled, Recorded: d.Recorded, Extra: d.Extra}
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
	for i := range ls {
		d, err := s.Doc(ls[i].ID, &ls[i], nil)
		if err != nil {
			return err
		}
		ids[i], docs[i] = ls[i].ID, d
	}
	if err := s.taken(ctx, ls, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}); err != nil {
		return err
	}
	_, err := s.Mongo().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
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
	stored, err := s.Find(ctx, filter)
	if err != nil {
		return err
	}
	owner := make(map[string]string, len(stored))
	for _, l := range stored {
		owner[l.ID] = l.EditionID
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

// OfEdition lists an edition's lessons by start.
func (s *Lessons) OfEdition(ctx context.Context, editionID string) ([]*domain.Lesson, error) {
	sort := bson.D{{Key: "start", Value: 1}, {Key: "_id", Value: 1}}
	return s.Find(ctx, bson.D{{Key: "edition_id", Value: editionID}}, options.Find().SetSort(sort))
}
