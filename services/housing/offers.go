package housing

import (
	"context"
	"fmt"

	"github.com/percorsi/percorsi/pkg/endpointkit"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/services/housing/domain"
)

// OfferInput is a room or flat offered to the network.
type OfferInput struct {
	Source           string
	MonthlyRentCents int64
	Territory, Area  string
	Places           int
	Conditions       string
	AvailableFrom    string
}

// CreateOffer records an offer. Errors: Invalid naming the field.
func (s *Service) CreateOffer(ctx context.Context, in OfferInput) (*domain.Offer, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	from, err := endpointkit.Date("available_from", in.AvailableFrom, nil)
	if err != nil {
		return nil, err
	}
	o, err := domain.NewOffer(events.NewID(), p.Organisation, domain.OfferSource(in.Source), in.MonthlyRentCents, in.Territory, in.Area, in.Places, in.Conditions, from, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.Offers.Create(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

// OpenOffers lists the network's open offers, optionally in a territory.
// Errors: Invalid naming territory.
func (s *Service) OpenOffers(ctx context.Context, territory string) ([]domain.Offer, error) {
	if territory != "" {
		if err := domain.Territory("territory", territory); err != nil {
			return nil, err
		}
	}
	return s.Offers.Open(ctx, territory)
}

// ProfileInput is what makes a person ready for autonomy, for matching.
type ProfileInput struct {
	MonthlyIncomeCents int64
	HouseholdSize      int
	WorkTerritory      string
	WorkArea           string
}

// PutProfile records a person's readiness profile for the caller's
// organisation. Errors: Invalid naming the field, Forbidden when another
// organisation keeps it.
func (s *Service) PutProfile(ctx context.Context, person string, in ProfileInput) (*domain.Profile, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	prof, err := domain.NewProfile(person, p.Organisation, in.MonthlyIncomeCents, in.HouseholdSize, in.WorkTerritory, in.WorkArea, s.now())
	if err != nil {
		return nil, err
	}
	stored, err := s.Profiles.Get(ctx, person)
	switch {
	case err == nil && stored.Organisation != p.Organisation:
		return nil, errcode.New(errcode.Forbidden, "pseudonym", "the person's profile is kept by another organisation")
	case err != nil && errcode.Of(err) != errcode.NotFound:
		return nil, err
	}
	if err := s.Profiles.Put(ctx, prof); err != nil {
		return nil, err
	}
	return prof, nil
}

// MatchView is the offers that fit a person, best first.
type MatchView struct {
	Profile     *domain.Profile
	RentSupport int64 // cents a month of support still running, counted in the budget
	BudgetCents int64
	Matches     []domain.Match
}

// Matches ranks the open offers for a person ready for autonomy.
// Errors: NotFound naming pseudonym when the person has no profile,
// Forbidden when another organisation keeps it.
func (s *Service) Matches(ctx context.Context, person string) (*MatchView, error) {
	prof, err := s.ownProfile(ctx, person)
	if err != nil {
		return nil, err
	}
	supports, err := s.RentSupports.ByPerson(ctx, person)
	if err != nil {
		return nil, err
	}
	var support int64
	for _, r := range supports {
		if r.Running(s.now()) {
			support += r.MonthlyCents
		}
	}
	offers, err := s.Offers.Open(ctx, prof.WorkTerritory)
	if err != nil {
		return nil, err
	}
	return &MatchView{
		Profile: prof, RentSupport: support,
		BudgetCents: prof.MonthlyIncomeCents*int64(s.rentSharePct)/100 + support,
		Matches:     domain.Matches(prof, offers, support, s.rentSharePct),
	}, nil
}

func (s *Service) ownProfile(ctx context.Context, person string) (*domain.Profile, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := domain.Pseudonym("pseudonym", person); err != nil {
		return nil, err
	}
	prof, err := s.Profiles.Get(ctx, person)
	if errcode.Of(err) == errcode.NotFound {
		return nil, &errcode.Error{Code: errcode.NotFound, Field: "pseudonym", Message: "the person has no readiness profile yet", Err: err}
	}
	if err != nil {
		return nil, err
	}
	if prof.Organisation != p.Organisation {
		return nil, errcode.New(errcode.Forbidden, "pseudonym", "the person's profile is kept by another organisation")
	}
	return prof, nil
}

// Propose proposes an open offer to a person whose profile the caller's
// organisation keeps. Errors: Invalid, NotFound, Forbidden, Conflict when
// the offer is no longer open.
func (s *Service) Propose(ctx context.Context, offerID, person string) (*domain.Proposal, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := domain.Pseudonym("person", person); err != nil {
		return nil, err
	}
	if _, err := s.ownProfile(ctx, person); err != nil {
		if e := errcode.As(err); e != nil && e.Field == "pseudonym" {
			e.Field = "person"
		}
		return nil, err
	}
	o, err := s.Offers.Get(ctx, offerID)
	if errcode.Of(err) == errcode.NotFound {
		return nil, &errcode.Error{Code: errcode.NotFound, Field: "offer_id", Message: "no such offer", Err: err}
	}
	if err != nil {
		return nil, err
	}
	prop, err := domain.NewProposal(events.NewID(), o, person, p.Organisation, p.Subject, s.now())
	if err != nil {
		return nil, err
	}
	msgs, err := s.events.OfferProposed(ctx, prop, o)
	if err != nil {
		return nil, err
	}
	if err := s.Proposals.Create(ctx, prop, msgs); err != nil {
		return nil, err
	}
	return prop, nil
}

// Decide records the outcome of a proposal: accepted, declined or
// withdrawn. Errors: Invalid naming the field, NotFound, Forbidden,
// Conflict when it was already decided.
func (s *Service) Decide(ctx context.Context, id, outcome, reason string) (*domain.Proposal, error) {
	prop, err := s.ownProposal(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := prop.Decide(domain.Outcome(outcome), reason, s.now()); err != nil {
		return nil, err
	}
	if err := s.Proposals.Decide(ctx, prop); err != nil {
		return nil, err
	}
	return prop, nil
}

// LeaseInput is a signed lease.
type LeaseInput struct {
	SignedOn, Start  string
	MonthlyRentCents int64
	DurationMonths   int
}

// SignLease closes the loop of an accepted proposal: it takes the offer off
// the market, stores the lease (LeaseSigned) and moves the person from
// their open step, if any, to a step in their own lease. Each part can be
// retried: calling again after a failure completes what was left.
// Errors: Invalid naming the field, NotFound, Forbidden, Conflict.
func (s *Service) SignLease(ctx context.Context, id string, in LeaseInput) (*domain.Proposal, *domain.Step, error) {
	prop, err := s.ownProposal(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	steps, err := s.Steps.ByPerson(ctx, prop.Person)
	if err != nil {
		return nil, nil, err
	}
	// The lease step's id comes from the proposal, so a retry finds it.
	stepID := "lease-" + prop.ID
	var leased, current *domain.Step
	for i := range steps {
		switch {
		case steps[i].ID == stepID:
			leased = &steps[i]
		case steps[i].Open():
			current = &steps[i]
		}
	}
	if leased != nil && (current == nil || leased.Previous != current.ID) {
		return prop, leased, nil // already complete; a later step is not this lease's to end
	}
	p, _ := caller(ctx)
	if current != nil && current.Organisation != p.Organisation {
		return nil, nil, errcode.New(errcode.Conflict, "proposal_id", "the person's current step is with another organisation, which must end it first")
	}
	if prop.Outcome != domain.Leased {
		signed, err := endpointkit.Date("signed_on", in.SignedOn, nil)
		if err != nil {
			return nil, nil, err
		}
		start, err := endpointkit.Date("start", in.Start, nil)
		if err != nil {
			return nil, nil, err
		}
		lease := domain.Lease{SignedOn: signed, Start: start, MonthlyRentCents: in.MonthlyRentCents, DurationMonths: in.DurationMonths, StepID: stepID}
		if err := prop.Sign(lease, s.now()); err != nil {
			return nil, nil, err
		}
		if current != nil && lease.Start.Before(current.Start) {
			return nil, nil, errcode.New(errcode.Invalid, "start", "is before the start of the person's current step")
		}
		// The offer is taken first: of two leases for one offer, one wins.
		if err := s.Offers.Take(ctx, prop.OfferID, prop.ID); err != nil {
			return nil, nil, err
		}
		msgs, err := s.events.LeaseSigned(ctx, prop)
		if err != nil {
			return nil, nil, err
		}
		if err := s.Proposals.Sign(ctx, prop, msgs); err != nil {
			return nil, nil, err
		}
	}
	next := &domain.Step{
		ID: stepID, Person: prop.Person, Organisation: p.Organisation, Kind: domain.OwnLease,
		Start: prop.Lease.Start, RecordedBy: p.Subject,
	}
	if current != nil {
		next.Previous = current.ID
	}
	if leased == nil {
		if err := s.recordStart(ctx, next, 0); err != nil {
			return nil, nil, err
		}
	}
	if current != nil {
		if err := current.Close(next.Start, domain.LeaseOfOwn, domain.Destination(domain.OwnLease), p.Subject, s.now()); err != nil {
			return nil, nil, err
		}
		if err := s.recordEnd(ctx, current, false); err != nil && errcode.Of(err) != errcode.Conflict {
			return nil, nil, fmt.Errorf("lease stored, previous step not yet ended (retry to complete): %w", err)
		}
	}
	return prop, next, nil
}

func (s *Service) ownProposal(ctx context.Context, id string) (*domain.Proposal, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	prop, err := s.Proposals.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if prop.Organisation != p.Organisation {
		return nil, errcode.New(errcode.Forbidden, "proposal_id", "the proposal was made by another organisation")
	}
	return prop, nil
}
