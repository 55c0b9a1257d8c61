// Package pathway is the service that follows each person's road to
// autonomy: intake with encrypted personal data and an audit of every read,
// legal status, the individual plan, the timeline of the facts every service
// publishes, autonomy, alerts, transfers, closing, erasure and monitoring.
package pathway

import (
	"context"
	"sync"
	"time"

	"github.com/percorsi/percorsi/pkg/fieldcrypt"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// Service holds the use cases.
type Service struct {
	persons  Persons
	timeline domain.Timeline
	keys     domain.Keys
	audit    domain.Audit
	ring     *fieldcrypt.Keyring
	rules    domain.Rules
	now      func() time.Time

	mu      sync.Mutex
	touched map[string]bool // people whose alerts need a check
}

// Persons stores people (store.Persons). It speaks the outbox's
// messages, which the use cases seal (events.go), so it lives here and not
// in the domain.
type Persons interface {
	// Get returns NotFound for an unknown pseudonym.
	Get(ctx context.Context, pseudonym string) (*domain.Person, error)
	// Create stores a new person with its events; Conflict if it exists.
	Create(ctx context.Context, pseudonym string, p *domain.Person, events []outbox.Message) error
	// Update stores what change makes of the person with its events in one
	// write; NotFound, change's error, or Unavailable when concurrent
	// writers kept winning.
	Update(ctx context.Context, pseudonym string, change versioned.Change[domain.Person]) (*domain.Person, error)
	// Summarise sets a person's Stage and LastActivity alone, without
	// Update's version guard: they are derived from the timeline, and the
	// next check writes them again. NotFound for an unknown pseudonym.
	Summarise(ctx context.Context, pseudonym string, stage domain.Stage, last time.Time) error
	// All returns every person without their sealed fields.
	All(ctx context.Context) ([]*domain.Person, error)
	// InCharge returns the people org is in charge of, closed pathways
	// included, without their sealed fields, plan or consents.
	InCharge(ctx context.Context, org string) ([]*domain.Person, error)
	// TransfersTo returns the people with a transfer pending to org,
	// without their sealed fields.
	TransfersTo(ctx context.Context, org string) ([]*domain.Person, error)
}

// Stores are what the use cases read and write.
type Stores struct {
	Persons  Persons
	Timeline domain.Timeline
	Keys     domain.Keys
	Audit    domain.Audit
}

// NewService returns the use cases over the given stores.
func NewService(st Stores, ring *fieldcrypt.Keyring, rules domain.Rules, now func() time.Time) *Service {
	return &Service{
		persons: st.Persons, timeline: st.Timeline, keys: st.Keys, audit: st.Audit, ring: ring, rules: rules, now: now,
		touched: map[string]bool{},
	}
}
