package domain

import (
	"context"
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// OfferSource is who offers a room or flat.
type OfferSource string

const (
	Landlord        OfferSource = "landlord"
	Agency          OfferSource = "agency"
	PublicProgramme OfferSource = "public_programme"
)

// OfferStatus is where an offer stands.
type OfferStatus string

const (
	OfferOpen  OfferStatus = "open"
	OfferTaken OfferStatus = "taken" // a lease was signed
)

// Offer is a room or flat offered to the network. It holds an area, never
// a street address: once leased, it is where a person lives.
type Offer struct {
	ID               string
	Organisation     string // who entered it
	Source           OfferSource
	MonthlyRentCents int64
	Territory        string // province code
	Area             string // municipality or district, e.g. "Roma - Pigneto"
	Places           int    // people it can house
	Conditions       string // deposit, contract type, furnished...
	AvailableFrom    time.Time
	Status           OfferStatus
	CreatedAt        time.Time
}

// MaxPlaces bounds an offer's size.
const MaxPlaces = 12

// NewOffer checks an offer.
func NewOffer(id, org string, src OfferSource, rent int64, territory, area string, places int, conditions string, from, now time.Time) (*Offer, error) {
	switch src {
	case Landlord, Agency, PublicProgramme:
	default:
		return nil, errcode.New(errcode.Invalid, "source", "must be one of landlord, agency, public_programme")
	}
	if rent < 0 || rent > MaxMonthlyCents {
		return nil, errcode.New(errcode.Invalid, "monthly_rent_cents", "must be between 0 and %d cents", MaxMonthlyCents)
	}
	if err := Territory("territory", territory); err != nil {
		return nil, err
	}
	if err := text("area", area, maxArea); err != nil {
		return nil, err
	}
	if places < 1 || places > MaxPlaces {
		return nil, errcode.New(errcode.Invalid, "places", "must be between 1 and %d", MaxPlaces)
	}
	if conditions != "" {
		if err := text("conditions", conditions, maxConditions); err != nil {
			return nil, err
		}
	}
	return &Offer{
		ID: id, Organisation: org, Source: src, MonthlyRentCents: rent, Territory: territory, Area: area,
		Places: places, Conditions: conditions, AvailableFrom: from, Status: OfferOpen, CreatedAt: now,
	}, nil
}

// Profile is what matching knows of a person ready for autonomy: their
// means, where they work and how many they are. No name, no address.
type Profile struct {
	Person             string
	Organisation       string
	MonthlyIncomeCents int64
	HouseholdSize      int
	WorkTerritory      string
	WorkArea           string
	UpdatedAt          time.Time
}

// NewProfile checks a readiness profile.
func NewProfile(person, org string, income int64, household int, territory, area string, now time.Time) (*Profile, error) {
	if err := Pseudonym("pseudonym", person); err != nil {
		return nil, err
	}
	switch {
	case income < 0 || income > 10*MaxMonthlyCents:
		return nil, errcode.New(errcode.Invalid, "monthly_income_cents", "must be between 0 and %d cents", 10*MaxMonthlyCents)
	case household < 1 || household > MaxPlaces:
		return nil, errcode.New(errcode.Invalid, "household_size", "must be between 1 and %d", MaxPlaces)
	}
	if err := Territory("work_territory", territory); err != nil {
		return nil, err
	}
	if err := text("work_area", area, maxArea); err != nil {
		return nil, err
	}
	return &Profile{Person: person, Organisation: org, MonthlyIncomeCents: income, HouseholdSize: household, WorkTerritory: territory, WorkArea: area, UpdatedAt: now}, nil
}

// Match is an offer that fits a person, with the reasons a housing worker
// reads.
type Match struct {
	Offer   Offer
	Score   float64
	Reasons []Reason
}

// MaxMatches is how many offers matching proposes at most: a short list a
// housing worker can go through with the person.
const MaxMatches = 20

// Matches ranks the open offers that fit p: room for the household, in the
// province where they work, a rent within budget (the share of income that
// may go to rent, plus any rent support running). Offers in the very area
// of work rank first, then the cheapest against the budget. It returns the
// best MaxMatches, each with its reasons.
func Matches(p *Profile, offers []Offer, rentSupportCents int64, sharePercent int) []Match {
	budget := p.MonthlyIncomeCents*int64(sharePercent)/100 + rentSupportCents
	// Rank small (score, index) pairs, not whole offers.
	type candidate struct {
		score float64
		i     int
	}
	var fit []candidate
	for i, o := range offers {
		if o.Status != OfferOpen || o.Places < p.HouseholdSize || o.Territory != p.WorkTerritory || o.MonthlyRentCents > budget {
			continue
		}
		c := candidate{i: i}
		if budget > 0 {
			c.score = float64(budget-o.MonthlyRentCents) / float64(budget)
		}
		if o.Area == p.WorkArea {
			c.score += 1
		}
		fit = append(fit, c)
	}
	slices.SortStableFunc(fit, func(a, b candidate) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	out := make([]Match, min(len(fit), MaxMatches))
	for i := range out {
		out[i] = Match{Offer: offers[fit[i].i], Score: fit[i].score}
	}
	// Reasons are given for the short list only.
	for i := range out {
		o := &out[i].Offer
		where := Reason{Code: ReasonInWorkProvince, Territory: o.Territory, Area: o.Area}
		if o.Area == p.WorkArea {
			where = Reason{Code: ReasonInWorkArea, Area: o.Area}
		}
		out[i].Reasons = []Reason{
			{Code: ReasonRentWithinBudget, RentCents: o.MonthlyRentCents, BudgetCents: budget},
			{Code: ReasonRoomForHousehold, Places: o.Places, Household: p.HouseholdSize},
			where,
		}
	}
	return out
}

// Outcome is what became of a proposal.
type Outcome string

const (
	Pending   Outcome = "pending"
	Accepted  Outcome = "accepted"
	Declined  Outcome = "declined"
	Withdrawn Outcome = "withdrawn"
	Leased    Outcome = "leased" // the lease was signed: the loop is closed
)

// Proposal is an offer proposed to a person, and its outcome.
type Proposal struct {
	ID            string
	OfferID       string
	Person        string
	Organisation  string
	ProposedBy    string
	ProposedAt    time.Time
	Outcome       Outcome
	OutcomeAt     time.Time
	OutcomeReason string
	Lease         *Lease
}

// Lease is the lease a proposal ended in.
type Lease struct {
	SignedOn         time.Time
	Start            time.Time
	MonthlyRentCents int64
	DurationMonths   int
	StepID           string // the own-lease step it started
}

// NewProposal proposes an open offer to a person.
func NewProposal(id string, o *Offer, person, org, by string, now time.Time) (*Proposal, error) {
	if err := Pseudonym("person", person); err != nil {
		return nil, err
	}
	if o.Status != OfferOpen {
		return nil, errcode.New(errcode.Conflict, "offer_id", "the offer is no longer open")
	}
	return &Proposal{ID: id, OfferID: o.ID, Person: person, Organisation: org, ProposedBy: by, ProposedAt: now, Outcome: Pending}, nil
}

// Decide records the person's answer to a pending proposal, or its
// withdrawal by the organisation.
func (p *Proposal) Decide(o Outcome, reason string, now time.Time) error {
	switch o {
	case Accepted, Declined, Withdrawn:
	default:
		return errcode.New(errcode.Invalid, "outcome", "must be one of accepted, declined, withdrawn")
	}
	if reason != "" {
		if err := text("reason", reason, maxConditions); err != nil {
			return err
		}
	}
	if p.Outcome != Pending {
		return errcode.New(errcode.Conflict, "outcome", "the proposal was already %s", p.Outcome)
	}
	p.Outcome, p.OutcomeAt, p.OutcomeReason = o, now, reason
	return nil
}

// Sign records the lease of an accepted proposal.
func (p *Proposal) Sign(l Lease, now time.Time) error {
	switch {
	case p.Outcome != Accepted:
		return errcode.New(errcode.Conflict, "proposal_id", "only an accepted proposal can end in a lease")
	case l.SignedOn.After(now.AddDate(0, 0, 1)):
		return errcode.New(errcode.Invalid, "signed_on", "is in the future")
	case l.Start.Before(l.SignedOn):
		return errcode.New(errcode.Invalid, "start", "is before the signature")
	case l.MonthlyRentCents < 0 || l.MonthlyRentCents > MaxMonthlyCents:
		return errcode.New(errcode.Invalid, "monthly_rent_cents", "must be between 0 and %d cents", MaxMonthlyCents)
	case l.DurationMonths < 1 || l.DurationMonths > 120:
		return errcode.New(errcode.Invalid, "duration_months", "must be between 1 and 120")
	}
	p.Outcome, p.OutcomeAt, p.Lease = Leased, now, &l
	return nil
}

// Offers stores offers.
type Offers interface {
	Create(ctx context.Context, o *Offer) error
	// Get returns NotFound for an unknown id.
	Get(ctx context.Context, id string) (*Offer, error)
	// Open lists the open offers of a territory ("" for all).
	Open(ctx context.Context, territory string) ([]Offer, error)
	// Take takes an offer off the market for the lease of a proposal,
	// once: taking it again for the same proposal is no error, for
	// another one a Conflict naming offer_id.
	Take(ctx context.Context, id, proposal string) error
}

// Profiles stores readiness profiles, one per person.
type Profiles interface {
	Put(ctx context.Context, p *Profile) error
	// Get returns NotFound when the person has none.
	Get(ctx context.Context, person string) (*Profile, error)
}
