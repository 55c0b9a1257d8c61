package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Load bulk-inserts a school year already lived elsewhere (a migration
// from another register, or a benchmark's stored year): classes and
// registers as they stand, with no events to publish, in batches, calling
// progress after each. Lessons go through Lessons.Add.
func Load(ctx context.Context, db *mongo.Database, classes []*domain.Class, regs []*domain.Register, progress func(what string, done, total int)) error {
	cdocs := make([]any, len(classes))
	for i, c := range classes {
		cdocs[i] = classDoc{ID: c.ID, ClassFields: toClassFields(c, 1), Pending: outbox.NewPending(nil)}
	}
	if err := mongostore.InsertBatches(ctx, db.Collection(classesColl), cdocs, func(done, total int) { progress("classes", done, total) }); err != nil {
		return err
	}
	rdocs := make([]any, len(regs))
	for i, r := range regs {
		rdocs[i] = registerDoc{LessonID: r.LessonID, RegisterFields: toRegisterFields(r), Pending: outbox.NewPending(nil)}
	}
	return mongostore.InsertBatches(ctx, db.Collection(registersColl), rdocs, func(done, total int) { progress("registers", done, total) })
}
