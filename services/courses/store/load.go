package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

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
	if err := insertBatches(ctx, db.Collection(classesColl), "classes", cdocs, progress); err != nil {
		return err
	}
	rdocs := make([]any, len(regs))
	for i, r := range regs {
		rdocs[i] = registerDoc{LessonID: r.LessonID, RegisterFields: toRegisterFields(r), Pending: outbox.NewPending(nil)}
	}
	return insertBatches(ctx, db.Collection(registersColl), "registers", rdocs, progress)
}

func insertBatches(ctx context.Context, c *mongo.Collection, what string, docs []any, progress func(string, int, int)) error {
	const batch = 1000
	for i := 0; i < len(docs); i += batch {
		end := min(i+batch, len(docs))
		if _, err := c.InsertMany(ctx, docs[i:end], options.InsertMany().SetOrdered(false)); err != nil {
			return fmt.Errorf("load %s %d-%d: %w", what, i, end, mongostore.Translate(err))
		}
		progress(what, end, len(docs))
	}
	return nil
}
