package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Load bulk-inserts a school year already lived elsewhere (a migration
// from another register, or a benchmark's stored year): classes and
// registers as they stand, with no events to publish, in batches, calling
// progress after each. Lessons go through Lessons.Add.
func Load(ctx context.Context, db *mongo.Database, classes []*domain.Class, regs []*domain.Register, progress func(what string, done, total int)) error {
	cs, rs := NewClasses(db, nil), NewRegisters(db, nil)
	cdocs := make([]any, len(classes))
	for i, c := range classes {
		d, err := cs.Doc(c.ID, c, nil)
		if err != nil {
			return err
		}
		cdocs[i] = d
	}
	if err := mongostore.InsertBatches(ctx, db.Collection(classesColl), cdocs, func(done, total int) { progress("classes", done, total) }); err != nil {
		return err
	}
	rdocs := make([]any, len(regs))
	for i, r := range regs {
		d, err := rs.Doc(r.LessonID, r, nil)
		if err != nil {
			return err
		}
		rdocs[i] = d
	}
	return mongostore.InsertBatches(ctx, db.Collection(registersColl), rdocs, func(done, total int) { progress("registers", done, total) })
}
