// Package housing is the service that follows where each person lives and
// how that moves toward autonomy: emergency shelter, protected shelter,
// semi-autonomy flat, host family, a lease of their own. It keeps the
// network's accommodations and their places, the availability board, rent
// support, and the housing offers proposed to people ready for autonomy.
//
// A protected shelter's address is secret: it is shown to the managing
// organisation and to no one else, and never leaves the service in an
// event, a log line, an export or the board.
package housing

import (
	"context"
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/housing/domain"
)

// Stores are the repositories the use cases need. Those that store events
// are declared here, beside the use cases that build the events.
type Stores struct {
	Accommodations domain.Accommodations
	Steps          Steps
	RentSupports   RentSupports
	Offers         domain.Offers
	Profiles       domain.Profiles
	Proposals      Proposals
}

// Steps stores housing steps and their events. Places are held by open
// steps: the store guarantees that an accommodation never has more open
// steps than places, without multi-document transactions.
type Steps interface {
	// Start stores a new open step with its events. A step that follows
	// none (Previous empty) fails with Conflict naming person when the
	// person has an open step. For a step in an accommodation it takes one
	// of the accommodation's capacity places, or fails with Conflict naming
	// accommodation_id when none is free. Conflict naming id when the id is
	// used already. A failed start leaves no place or person held.
	Start(ctx context.Context, s *domain.Step, capacity int, events []outbox.Message) error
	// End stores the end of a step (s already closed) with its events and
	// frees its place; an exit also ends the person's housing pathway.
	// Conflict naming step_id when it had ended already.
	End(ctx context.Context, s *domain.Step, exit bool, events []outbox.Message) error
	// Get returns NotFound for an unknown id.
	Get(ctx context.Context, id string) (*domain.Step, error)
	// ByPerson lists a person's steps, oldest first.
	ByPerson(ctx context.Context, person string) ([]domain.Step, error)
	// ByOrganisation lists the steps an organisation recorded, oldest first.
	ByOrganisation(ctx context.Context, org string) ([]domain.Step, error)
	// All lists every step of the network, for aggregates.
	All(ctx context.Context) ([]domain.Step, error)
	// OpenIn lists the open steps of an accommodation.
	OpenIn(ctx context.Context, accommodation string) ([]domain.Step, error)
	// Occupied counts the places taken in every accommodation that has some.
	Occupied(ctx context.Context) (map[string]int, error)
}

// RentSupports stores rent support.
type RentSupports interface {
	// Grant stores a new grant with its event.
	Grant(ctx context.Context, r *domain.RentSupport, events []outbox.Message) error
	// Get returns NotFound for an unknown id.
	Get(ctx context.Context, id string) (*domain.RentSupport, error)
	// Pay stores a month paid; Conflict naming month if it was paid.
	Pay(ctx context.Context, id string, p domain.Payment) error
	// Stop stores the early end of a grant; Conflict if it had ended.
	Stop(ctx context.Context, id string, at time.Time, reason string) error
	// ByPerson lists a person's grants.
	ByPerson(ctx context.Context, person string) ([]domain.RentSupport, error)
}

// Proposals stores proposals with their events.
type Proposals interface {
	// Create stores a proposal with its HousingOfferProposed event.
	Create(ctx context.Context, p *domain.Proposal, events []outbox.Message) error
	// Get returns NotFound for an unknown id.
	Get(ctx context.Context, id string) (*domain.Proposal, error)
	// Decide stores p's outcome; Conflict naming outcome if one was
	// stored already.
	Decide(ctx context.Context, p *domain.Proposal) error
	// Sign stores p's lease with its LeaseSigned event; Conflict naming
	// proposal_id if a lease was stored already.
	Sign(ctx context.Context, p *domain.Proposal, events []outbox.Message) error
	// ByPerson lists a person's proposals.
	ByPerson(ctx context.Context, person string) ([]domain.Proposal, error)
}

// Service holds the use cases.
type Service struct {
	Stores
	events       Events
	now          func() time.Time
	rentSharePct int
}

// DefaultRentShare is the share of income, in percent, that matching lets
// go to rent.
const DefaultRentShare = 35

// NewService returns the use cases over st. rentSharePct is the share of
// income that may go to rent (DefaultRentShare when 0).
func NewService(st Stores, rentSharePct int, now func() time.Time) *Service {
	if rentSharePct <= 0 {
		rentSharePct = DefaultRentShare
	}
	return &Service{Stores: st, events: Events{now: now}, now: now, rentSharePct: rentSharePct}
}

func caller(ctx context.Context) (auth.Principal, error) {
	p, ok := auth.From(ctx)
	if !ok || p.Organisation == "" {
		return auth.Principal{}, errcode.New(errcode.Unauthorized, "authorization", "a signed-in user of an organisation is required")
	}
	return p, nil
}

// checkID checks an id a client chose so that it can retry safely.
func checkID(field, id string) (string, error) {
	switch {
	case id == "":
		return events.NewID(), nil
	case len(id) > 64:
		return "", errcode.New(errcode.Invalid, field, "is longer than 64 characters")
	}
	return id, nil
}

// AccommodationInput is a new accommodation as a housing worker enters it.
type AccommodationInput struct {
	Name, Kind, Territory, Address string
	Capacity                       int
}

// Occupancy is an accommodation with its places taken, for its own
// organisation.
type Occupancy struct {
	domain.Accommodation
	Occupied int
	Open     []domain.Step // nil unless asked for one accommodation
}

// CreateAccommodation registers an accommodation of the caller's
// organisation. Errors: Invalid naming the field.
func (s *Service) CreateAccommodation(ctx context.Context, in AccommodationInput) (*Occupancy, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	a, err := domain.NewAccommodation(events.NewID(), p.Organisation, in.Name, domain.Kind(in.Kind), in.Territory, in.Address, in.Capacity, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.Accommodations.Create(ctx, a); err != nil {
		return nil, err
	}
	return &Occupancy{Accommodation: *a, Open: []domain.Step{}}, nil
}

// OwnAccommodations lists the caller's organisation's accommodations with
// their occupancy.
func (s *Service) OwnAccommodations(ctx context.Context) ([]Occupancy, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	accs, err := s.Accommodations.ByOrganisation(ctx, p.Organisation)
	if err != nil {
		return nil, err
	}
	occupied, err := s.Steps.Occupied(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Occupancy, len(accs))
	for i, a := range accs {
		out[i] = Occupancy{Accommodation: a, Occupied: occupied[a.ID]}
	}
	return out, nil
}

// Accommodation returns one accommodation, with who holds its places, to
// its own organisation. Errors: NotFound, Forbidden.
func (s *Service) Accommodation(ctx context.Context, id string) (*Occupancy, error) {
	a, err := s.managed(ctx, "id", id)
	if err != nil {
		return nil, err
	}
	open, err := s.Steps.OpenIn(ctx, id)
	if err != nil {
		return nil, err
	}
	return &Occupancy{Accommodation: *a, Occupied: len(open), Open: open}, nil
}

// managed loads an accommodation the caller's organisation manages. Another
// organisation learns nothing of it beyond that it is not theirs.
func (s *Service) managed(ctx context.Context, field, id string) (*domain.Accommodation, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, errcode.New(errcode.Invalid, field, "is required")
	}
	a, err := s.Accommodations.Get(ctx, id)
	if errcode.Of(err) == errcode.NotFound {
		return nil, &errcode.Error{Code: errcode.NotFound, Field: field, Message: "no such accommodation", Err: err}
	}
	if err != nil {
		return nil, err
	}
	if a.Organisation != p.Organisation {
		return nil, errcode.New(errcode.Forbidden, field, "the accommodation is managed by another organisation")
	}
	return a, nil
}

// BoardRow is the free places of one kind in one territory across the
// network: counts only.
type BoardRow struct {
	Territory      string
	Kind           domain.Kind
	Accommodations int
	Places         int
	Free           int
}

// Board returns the availability board, optionally narrowed to a kind and
// a territory. Errors: Invalid naming the filter.
func (s *Service) Board(ctx context.Context, kind, territory string) ([]BoardRow, error) {
	if kind != "" && (!domain.Kind(kind).Valid() || domain.Kind(kind) == domain.OwnLease) {
		return nil, errcode.New(errcode.Invalid, "kind", "is not a kind of accommodation")
	}
	if territory != "" {
		if err := domain.Territory("territory", territory); err != nil {
			return nil, err
		}
	}
	accs, err := s.Accommodations.All(ctx)
	if err != nil {
		return nil, err
	}
	occupied, err := s.Steps.Occupied(ctx)
	if err != nil {
		return nil, err
	}
	type key struct {
		territory string
		kind      domain.Kind
	}
	rows := map[key]*BoardRow{}
	for _, a := range accs {
		if (kind != "" && string(a.Kind) != kind) || (territory != "" && a.Territory != territory) {
			continue
		}
		k := key{a.Territory, a.Kind}
		r := rows[k]
		if r == nil {
			r = &BoardRow{Territory: a.Territory, Kind: a.Kind}
			rows[k] = r
		}
		r.Accommodations++
		r.Places += a.Capacity
		r.Free += max(0, a.Capacity-occupied[a.ID])
	}
	out := make([]BoardRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b BoardRow) int {
		if a.Territory != b.Territory {
			if a.Territory < b.Territory {
				return -1
			}
			return 1
		}
		return slices.Index(domain.Kinds, a.Kind) - slices.Index(domain.Kinds, b.Kind)
	})
	return out, nil
}

// Indicators returns the housing pathway's outcome measures across the
// network, for monitoring: counts and medians only, small cells suppressed.
// Computed from every step, which suits the scale of a region's projects;
// a national deployment would keep them as a read model instead.
func (s *Service) Indicators(ctx context.Context) ([]domain.Cell, error) {
	steps, err := s.Steps.All(ctx)
	if err != nil {
		return nil, err
	}
	return domain.Indicators(steps), nil
}
