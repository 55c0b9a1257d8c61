package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// LoadPersons bulk-inserts people already taken in charge elsewhere (a
// migration, or the load driver's national population) as Seed stores
// them, with no events to publish, calling progress after each batch.
func LoadPersons(ctx context.Context, db *mongo.Database, persons []*domain.Person, progress func(done, total int)) error {
	docs := make([]any, len(persons))
	for i, p := range persons {
		docs[i] = seed(p)
	}
	return mongostore.InsertBatches(ctx, db.Collection(personsColl), docs, progress)
}
