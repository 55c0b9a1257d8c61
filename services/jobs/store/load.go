package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/jobs/domain"
)

// LoadProfiles bulk-inserts candidate profiles already lived elsewhere (a
// migration, or the load driver's national population), with the facts
// other services published already applied and no events to publish,
// calling progress after each batch.
func LoadProfiles(ctx context.Context, db *mongo.Database, profiles []*domain.Profile, progress func(done, total int)) error {
	docs := make([]any, len(profiles))
	for i, p := range profiles {
		docs[i] = doc[profileFields]{ID: p.Person, Fields: profileToFields(p), Version: 1, Pending: outbox.NewPending(nil)}
	}
	return mongostore.InsertBatches(ctx, db.Collection(profilesColl), docs, progress)
}
