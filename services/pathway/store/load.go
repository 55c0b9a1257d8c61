package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// LoadPersons bulk-inserts people already taken in charge elsewhere (a
// migration, or the load driver's national population) as Put stores
// them, with no events to publish, in batches, calling progress after
// each. One by one, each Put would scan the collection on FerretDB.
func LoadPersons(ctx context.Context, db *mongo.Database, persons []*domain.Person, progress func(done, total int)) error {
	const batch = 1000
	c := db.Collection(personsColl)
	for i := 0; i < len(persons); i += batch {
		end := min(i+batch, len(persons))
		docs := make([]any, 0, end-i)
		for _, p := range persons[i:end] {
			docs = append(docs, withOutbox{toDoc(p, 1), outbox.NewPending(nil)})
		}
		if _, err := c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
			return fmt.Errorf("load persons %d-%d: %w", i, end, mongostore.Translate(err))
		}
		progress(end, len(persons))
	}
	return nil
}
