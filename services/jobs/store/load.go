package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/services/jobs/domain"
)

// LoadProfiles bulk-inserts candidate profiles already lived elsewhere (a
// migration, or the load driver's national population), with the facts
// other services published already applied and no events to publish,
// calling progress after each batch.
func LoadProfiles(ctx context.Context, db *mongo.Database, profiles []*domain.Profile, progress func(done, total int)) error {
	return newProfiles(db, nil).Load(ctx, profiles, func(p *domain.Profile) string { return p.Person }, progress)
}
