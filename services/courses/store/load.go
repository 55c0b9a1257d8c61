package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/services/courses/domain"
)

// Load bulk-inserts a school year already lived elsewhere (a migration
// from another register, or a benchmark's stored year): classes and
// registers as they stand, with no events to publish, in batches, calling
// progress after each. Lessons go through Lessons.Add.
func Load(ctx context.Context, db *mongo.Database, classes []*domain.Class, regs []*domain.Register, progress func(what string, done, total int)) error {
	err := NewClasses(db, nil).Load(ctx, classes, func(c *domain.Class) string { return c.ID },
		func(done, total int) { progress("classes", done, total) })
	if err != nil {
		return err
	}
	return NewRegisters(db, nil).Load(ctx, regs, func(r *domain.Register) string { return r.LessonID },
		func(done, total int) { progress("registers", done, total) })
}
