package store_test

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/services/training/domain"
	"github.com/percorsi/percorsi/services/training/store"
)

// A register stored before revisions were kept (no revision field) can be
// corrected: it is taken as its first write.
func TestCorrectALegacyRegister(t *testing.T) {
	stack := devstacktest.Start(t)
	db := devstacktest.Mongo(t, stack).Database("training_store_test")
	devstacktest.EnsureIndexes(t, db, store.Indexes()...)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	legacy := bson.D{
		{Key: "_id", Value: "l1"}, {Key: "edition_id", Value: "e1"}, {Key: "module_id", Value: "m"},
		{Key: "lesson_start", Value: start}, {Key: "lesson_minutes", Value: 60},
		{Key: "marks", Value: bson.A{bson.D{{Key: "person", Value: "p1"}, {Key: "status", Value: "absent"}, {Key: "minutes", Value: 0}}}},
		{Key: "outbox", Value: bson.A{}}, {Key: "outbox_pending", Value: false},
	}
	if _, err := db.Collection("registers").InsertOne(t.Context(), legacy); err != nil {
		t.Fatal(err)
	}
	regs := store.NewRegisters(db, func(string, any) {})
	e := &domain.Edition{ID: "e1"}
	r, err := regs.Update(t.Context(), "l1", func(r *domain.Register) ([]outbox.Message, error) {
		return nil, r.Correct(e, []register.Mark{{Person: "p1", Status: register.Excused}}, "tr", "certificato medico", start.Add(time.Hour))
	})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := regs.Get(t.Context(), "l1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Revision != 2 || stored.Revision != 2 || stored.Marks[0].Status != register.Excused || len(stored.Corrections) != 1 {
		t.Fatalf("corrected legacy register %+v", stored)
	}
}
