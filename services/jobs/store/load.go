package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/jobs/domain"
)

// LoadProfiles bulk-inserts candidate profiles already lived elsewhere (a
// migration, or the load driver's national population), with the facts
// other services published already applied and no events to publish, in
// batches, calling progress after each.
func LoadProfiles(ctx context.Context, db *mongo.Database, profiles []*domain.Profile, progress func(done, total int)) error {
	const batch = 1000
	c := db.Collection(profilesColl)
	for i := 0; i < len(profiles); i += batch {
		end := min(i+batch, len(profiles))
		docs := make([]any, 0, end-i)
		for _, p := range profiles[i:end] {
			docs = append(docs, doc[profileFields]{ID: p.Person, Fields: profileToFields(p), Version: 1, Pending: outbox.NewPending(nil)})
		}
		if _, err := c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
			return fmt.Errorf("load profiles %d-%d: %w", i, end, mongostore.Translate(err))
		}
		progress(end, len(profiles))
	}
	return nil
}
