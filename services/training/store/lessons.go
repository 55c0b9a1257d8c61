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
type Lessons struct {
	c *mongo.Collection
}

// NewLessons returns the lesson store of db.
func NewLessons(db *mongo.Database) *Lessons {
	return &Lessons{c: db.Collection(lessonsColl)}
}

type lessonDoc struct {
	ID        string    `bson:"_id"`
	EditionID string    `bson:"edition_id"`
	ModuleID  string    `bson:"module_id"`
	Start     time.Time `bson:"start"`
	Minutes   int       `bson:"minutes"`
	Cancelled bool      `bson:"cancelled,omitempty"`
	Recorded  bool      `bson:"recorded,omitempty"`
	Extra     bool      `bson:"extra,omitempty"`
}

func toLessonDoc(l *domain.Lesson) lessonDoc {
	return lessonDoc{ID: l.ID, EditionID: l.EditionID, ModuleID: l.ModuleID, Start: l.Start, Minutes: l.Minutes, Cancelled: l.Cancelled, Recorded: l.Recorded, Extra: l.Extra}
}

func (d *lessonDoc) domain() *domain.Lesson {
	return &domain.Lesson{ID: d.ID, EditionID: d.EditionID, ModuleID: d.ModuleID, Start: d.Start.UTC(), Minutes: d.Minutes, Cancelled: d.Cancelled, Recorded: d.Recorded, Extra: d.Extra}
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
	for i := range ls {
		ids[i] = ls[i].ID
		docs[i] = toLessonDoc(&ls[i])
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

// Update applies change to a lesson and writes it back unless it changed
// meanwhile, in which case it tries again on the lesson as it is now.
func (s *Lessons) Update(ctx context.Context, id string, change func(*domain.Lesson) error) (*domain.Lesson, error) {
	// The condition on every field a change may touch, checked by one
	// atomic update of the lesson, keeps concurrent writers right.
	for range mongostore.Attempts(ctx) {
		d, err := get[lessonDoc](ctx, s.c, id, "lesson")
		if err != nil {
			return nil, err
		}
		l := d.domain()
		if err := change(l); err != nil {
			return nil, err
		}
		n := toLessonDoc(l)
		filter := bson.D{{Key: "_id", Value: id}, {Key: "start", Value: d.Start}, {Key: "minutes", Value: d.Minutes}, flag("cancelled", d.Cancelled), flag("recorded", d.Recorded)}
		set := bson.D{{Key: "start", Value: n.Start}, {Key: "minutes", Value: n.Minutes}, {Key: "cancelled", Value: n.Cancelled}, {Key: "recorded", Value: n.Recorded}}
		res, err := s.c.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: set}})
		if err != nil {
			return nil, fmt.Errorf("update lesson %s: %w", id, mongostore.Translate(err))
		}
		if res.MatchedCount == 1 {
			return l, nil
		}
	}
	return nil, errcode.New(errcode.Unavailable, "", "lesson %s kept changing; retry", id)
}

// flag matches a boolean stored with omitempty: false is also missing.
func flag(name string, v bool) bson.E {
	if v {
		return bson.E{Key: name, Value: true}
	}
	return bson.E{Key: name, Value: bson.D{{Key: "$ne", Value: true}}}
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
