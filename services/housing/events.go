package housing

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/outbox"
	housingv1 "github.com/percorsi/percorsi/proto/percorsi/housing/v1"
	"github.com/percorsi/percorsi/services/housing/domain"
)

// Topic is where housing publishes its facts, keyed by person pseudonym.
const Topic = "percorsi.housing.events"

const producer = "housing"

// Events derives the events of housing's facts. They name accommodations
// by opaque id and areas by province; no address ever goes on the wire.
type Events struct {
	now func() time.Time
}

func (e Events) seal(ctx context.Context, person, org string, occurred time.Time, payloads ...proto.Message) ([]outbox.Message, error) {
	msgs := make([]outbox.Message, 0, len(payloads))
	for _, p := range payloads {
		m, err := outbox.Seal(ctx, Topic, events.Meta{
			ID: events.NewID(), Person: person, Organisation: org, Producer: producer,
			OccurredAt: occurred, RecordedAt: e.now(),
		}, p)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// StepStarted gives HousingStepStarted.
func (e Events) StepStarted(ctx context.Context, s *domain.Step) ([]outbox.Message, error) {
	return e.seal(ctx, s.Person, s.Organisation, s.Start, &housingv1.HousingStepStarted{
		StepId: s.ID, Kind: stepKind(s.Kind), AccommodationId: s.AccommodationID,
		StartedAt: timestamppb.New(s.Start), PreviousStepId: s.Previous,
	})
}

// StepEnded gives HousingStepEnded and, when the person leaves the housing
// pathway, HousingExited.
func (e Events) StepEnded(ctx context.Context, s *domain.Step, exit bool) ([]outbox.Message, error) {
	payloads := []proto.Message{&housingv1.HousingStepEnded{
		StepId: s.ID, Kind: stepKind(s.Kind), AccommodationId: s.AccommodationID,
		StartedAt: timestamppb.New(s.Start), EndedAt: timestamppb.New(s.End),
		Reason: exitReason(s.Reason), Destination: destination(s.Destination), Days: uint32(s.Days()),
	}}
	if exit {
		payloads = append(payloads, &housingv1.HousingExited{
			LastStepId: s.ID, LastKind: stepKind(s.Kind), ExitedAt: timestamppb.New(s.End),
			Reason: exitReason(s.Reason), Destination: destination(s.Destination),
		})
	}
	return e.seal(ctx, s.Person, s.Organisation, s.End, payloads...)
}

// RentSupportGranted gives RentSupportGranted.
func (e Events) RentSupportGranted(ctx context.Context, r *domain.RentSupport) ([]outbox.Message, error) {
	return e.seal(ctx, r.Person, r.Organisation, r.GrantedAt, &housingv1.RentSupportGranted{
		RentSupportId: r.ID, MonthlyAmountCents: r.MonthlyCents, Months: uint32(r.Months), StartsOn: timestamppb.New(r.Start),
	})
}

// OfferProposed gives HousingOfferProposed.
func (e Events) OfferProposed(ctx context.Context, p *domain.Proposal, o *domain.Offer) ([]outbox.Message, error) {
	return e.seal(ctx, p.Person, p.Organisation, p.ProposedAt, &housingv1.HousingOfferProposed{
		ProposalId: p.ID, OfferId: o.ID, Source: offerSource(o.Source), MonthlyRentCents: o.MonthlyRentCents, Territory: o.Territory,
	})
}

// LeaseSigned gives LeaseSigned.
func (e Events) LeaseSigned(ctx context.Context, p *domain.Proposal) ([]outbox.Message, error) {
	l := p.Lease
	return e.seal(ctx, p.Person, p.Organisation, l.SignedOn, &housingv1.LeaseSigned{
		ProposalId: p.ID, OfferId: p.OfferID, SignedOn: timestamppb.New(l.SignedOn), StartsOn: timestamppb.New(l.Start),
		MonthlyRentCents: l.MonthlyRentCents, DurationMonths: uint32(l.DurationMonths), StepId: l.StepID,
	})
}

func stepKind(k domain.Kind) housingv1.StepKind {
	switch k {
	case domain.EmergencyShelter:
		return housingv1.StepKind_STEP_KIND_EMERGENCY_SHELTER
	case domain.ProtectedShelter:
		return housingv1.StepKind_STEP_KIND_PROTECTED_SHELTER
	case domain.SemiAutonomyFlat:
		return housingv1.StepKind_STEP_KIND_SEMI_AUTONOMY_FLAT
	case domain.HostFamily:
		return housingv1.StepKind_STEP_KIND_HOST_FAMILY
	case domain.OwnLease:
		return housingv1.StepKind_STEP_KIND_OWN_LEASE
	}
	return housingv1.StepKind_STEP_KIND_UNSPECIFIED
}

func exitReason(r domain.ExitReason) housingv1.ExitReason {
	switch r {
	case domain.MovedOn:
		return housingv1.ExitReason_EXIT_REASON_MOVED_ON
	case domain.LeaseOfOwn:
		return housingv1.ExitReason_EXIT_REASON_OWN_LEASE
	case domain.ProgrammeCompleted:
		return housingv1.ExitReason_EXIT_REASON_PROGRAMME_COMPLETED
	case domain.LeftVoluntarily:
		return housingv1.ExitReason_EXIT_REASON_LEFT_VOLUNTARILY
	case domain.RulesBreach:
		return housingv1.ExitReason_EXIT_REASON_RULES_BREACH
	case domain.AssistedVoluntaryReturn:
		return housingv1.ExitReason_EXIT_REASON_ASSISTED_VOLUNTARY_RETURN
	case domain.Transferred:
		return housingv1.ExitReason_EXIT_REASON_TRANSFERRED
	case domain.OtherReason:
		return housingv1.ExitReason_EXIT_REASON_OTHER
	}
	return housingv1.ExitReason_EXIT_REASON_UNSPECIFIED
}

func destination(d domain.Destination) housingv1.Destination {
	switch d {
	case domain.Destination(domain.EmergencyShelter):
		return housingv1.Destination_DESTINATION_EMERGENCY_SHELTER
	case domain.Destination(domain.ProtectedShelter):
		return housingv1.Destination_DESTINATION_PROTECTED_SHELTER
	case domain.Destination(domain.SemiAutonomyFlat):
		return housingv1.Destination_DESTINATION_SEMI_AUTONOMY_FLAT
	case domain.Destination(domain.HostFamily):
		return housingv1.Destination_DESTINATION_HOST_FAMILY
	case domain.Destination(domain.OwnLease):
		return housingv1.Destination_DESTINATION_OWN_LEASE
	case domain.FamilyOrFriends:
		return housingv1.Destination_DESTINATION_FAMILY_OR_FRIENDS
	case domain.OtherProject:
		return housingv1.Destination_DESTINATION_OTHER_PROJECT
	case domain.CountryOfOrigin:
		return housingv1.Destination_DESTINATION_COUNTRY_OF_ORIGIN
	case domain.Homeless:
		return housingv1.Destination_DESTINATION_HOMELESS
	case domain.UnknownPlace:
		return housingv1.Destination_DESTINATION_UNKNOWN
	case domain.OtherDestination:
		return housingv1.Destination_DESTINATION_OTHER
	}
	return housingv1.Destination_DESTINATION_UNSPECIFIED
}

func offerSource(s domain.OfferSource) housingv1.OfferSource {
	switch s {
	case domain.Landlord:
		return housingv1.OfferSource_OFFER_SOURCE_LANDLORD
	case domain.Agency:
		return housingv1.OfferSource_OFFER_SOURCE_AGENCY
	case domain.PublicProgramme:
		return housingv1.OfferSource_OFFER_SOURCE_PUBLIC_PROGRAMME
	}
	return housingv1.OfferSource_OFFER_SOURCE_UNSPECIFIED
}
