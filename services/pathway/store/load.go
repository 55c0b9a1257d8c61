package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/services/pathway/domain"
)

// LoadPersons bulk-inserts people already taken in charge elsewhere (a
// migration, or the load driver's national population) with no events to
// publish, calling progress after each batch.
func LoadPersons(ctx context.Context, db *mongo.Database, persons []*domain.Person, progress func(done, total int)) error {
	return NewPersons(db, nil).Load(ctx, persons, func(p *domain.Person) string { return p.Pseudonym }, progress)
}
