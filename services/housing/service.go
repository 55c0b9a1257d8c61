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
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/services/housing/domain"
)

// Stores are the repositories the use cases need.
type Stores struct {
	Accommodations domain.Accommodations
	Steps          domain.Steps
	RentSupports   domain.RentSupports
	Offers         domain.Offers
	Profiles       domain.Profiles
	Proposals      domain.Proposals
}

// Service holds the use cases.
type Service struct {
	Stores
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
	return &Service{Stores: st, now: now, rentSharePct: rentSharePct}
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

// StepInput is a step to start. ID is optional: a client that sends one can
// retry the request safely.
type StepInput struct {
	ID, Person, Kind, AccommodationID, Start string
}

// StartStep starts a person's housing step, taking a place when the step is
// in an accommodation of the caller's organisation. Retrying with the same
// id returns the stored step with created false.
// Errors: Invalid naming the field; NotFound or Forbidden naming
// accommodation_id; Conflict naming accommodation_id when no place is free,
// person when the person already has an open step, id when the id is used.
func (s *Service) StartStep(ctx context.Context, in StepInput) (step *domain.Step, created bool, err error) {
	st, acc, err := s.newStep(ctx, in, nil)
	if err != nil {
		return nil, false, err
	}
	if stored, err := s.Steps.Get(ctx, st.ID); err == nil {
		return retried(stored, st)
	} else if errcode.Of(err) != errcode.NotFound {
		return nil, false, err
	}
	if err := s.Steps.Start(ctx, st, capacity(acc)); err != nil {
		return nil, false, err
	}
	return st, true, nil
}

// MoveInput is the step a person moves to.
type MoveInput struct {
	Kind, AccommodationID, Start string
}

// MoveStep ends an open step and starts the next one, from the same date.
// The next place is taken first, so a person is never left without one
// when the next accommodation is full. The next step's id derives from the
// step it follows, so a step is followed once: a retry, or a move racing
// another, completes the same move.
// Errors: as StartStep, and Conflict naming step_id if the step has ended.
func (s *Service) MoveStep(ctx context.Context, fromID string, in MoveInput) (*domain.Step, error) {
	from, err := s.ownStep(ctx, fromID)
	if err != nil {
		return nil, err
	}
	next, acc, err := s.newStep(ctx, StepInput{
		ID: NextStepID(from.ID), Person: from.Person, Kind: in.Kind, AccommodationID: in.AccommodationID, Start: in.Start,
	}, from)
	if err != nil {
		return nil, err
	}
	stored, err := s.Steps.Get(ctx, next.ID)
	switch {
	case err == nil:
		next = stored // a retried move: the next step is there
	case errcode.Of(err) != errcode.NotFound:
		return nil, err
	case !from.Open():
		return nil, errcode.New(errcode.Conflict, "step_id", "the step has already ended")
	default:
		err := s.Steps.Start(ctx, next, capacity(acc))
		if e := errcode.As(err); e != nil && e.Code == errcode.Conflict && e.Field == "id" {
			// A racing move of the same step got there first.
			next, err = s.Steps.Get(ctx, next.ID)
			if errcode.Of(err) == errcode.NotFound {
				return nil, errcode.New(errcode.Conflict, "step_id", "another request is moving this step; retry shortly")
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if !from.Open() {
		return next, nil
	}
	p, _ := caller(ctx)
	if err := from.Close(next.Start, domain.MovedOn, domain.Destination(next.Kind), p.Subject, s.now()); err != nil {
		return nil, err
	}
	if err := s.Steps.End(ctx, from, false); err != nil && errcode.Of(err) != errcode.Conflict {
		return nil, err
	}
	return next, nil
}

// EndInput is how a person left the housing pathway.
type EndInput struct {
	End, Reason, Destination string
}

// EndStep ends a person's open step as an exit from the housing pathway,
// freeing its place. Errors: Invalid naming the field, NotFound, Forbidden,
// Conflict naming step_id when it has already ended.
func (s *Service) EndStep(ctx context.Context, id string, in EndInput) (*domain.Step, error) {
	st, err := s.ownStep(ctx, id)
	if err != nil {
		return nil, err
	}
	end, err := domain.ParseDate("end", in.End)
	if err != nil {
		return nil, err
	}
	if err := domain.CheckExitReason(domain.ExitReason(in.Reason)); err != nil {
		return nil, err
	}
	p, _ := caller(ctx)
	if err := st.Close(end, domain.ExitReason(in.Reason), domain.Destination(in.Destination), p.Subject, s.now()); err != nil {
		return nil, err
	}
	if err := s.Steps.End(ctx, st, true); err != nil {
		return nil, err
	}
	return st, nil
}

// newStep checks a step to start for the caller, after from when moving.
func (s *Service) newStep(ctx context.Context, in StepInput, from *domain.Step) (*domain.Step, *domain.Accommodation, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, nil, err
	}
	id, err := checkID("id", in.ID)
	if err != nil {
		return nil, nil, err
	}
	if err := domain.Pseudonym("person", in.Person); err != nil {
		return nil, nil, err
	}
	start, err := domain.ParseDate("start", in.Start)
	if err != nil {
		return nil, nil, err
	}
	if from != nil && start.Before(from.Start) {
		return nil, nil, errcode.New(errcode.Invalid, "start", "is before the start of the step it follows")
	}
	var acc *domain.Accommodation
	if in.AccommodationID != "" {
		if acc, err = s.managed(ctx, "accommodation_id", in.AccommodationID); err != nil {
			return nil, nil, err
		}
	}
	st, err := domain.NewStep(id, in.Person, p.Organisation, domain.Kind(in.Kind), acc, start, p.Subject, s.now())
	if err != nil {
		return nil, nil, err
	}
	if from != nil {
		st.Previous = from.ID
	}
	return st, acc, nil
}

// NextStepID is the id of the step that follows the step from: a name-based
// UUID, the same every time.
func NextStepID(from string) string {
	return uuid.NewSHA1(nextStepSpace, []byte(from)).String()
}

var nextStepSpace = uuid.MustParse("0e6f1b6a-3f57-4a8e-9c43-6b0c2d1a7e55")

// retried answers a start whose id is already stored: the same step is a
// harmless retry, another one a conflict.
func retried(stored, asked *domain.Step) (*domain.Step, bool, error) {
	if stored.Person == asked.Person && stored.Kind == asked.Kind && stored.AccommodationID == asked.AccommodationID && stored.Start.Equal(asked.Start) {
		return stored, false, nil
	}
	return nil, false, errcode.New(errcode.Conflict, "id", "a different step with this id already exists")
}

// ownStep loads a step the caller's organisation recorded.
func (s *Service) ownStep(ctx context.Context, id string) (*domain.Step, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, errcode.New(errcode.Invalid, "step_id", "is required")
	}
	st, err := s.Steps.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if st.Organisation != p.Organisation {
		return nil, errcode.New(errcode.Forbidden, "step_id", "the step was recorded by another organisation")
	}
	return st, nil
}

func capacity(a *domain.Accommodation) int {
	if a == nil {
		return 0
	}
	return a.Capacity
}

// PersonHousing is a person's housing so far. Steps recorded by other
// organisations show their kind and dates only.
type PersonHousing struct {
	Person       string
	Steps        []domain.Step
	RentSupports []domain.RentSupport
	Proposals    []domain.Proposal
	Profile      *domain.Profile // nil when none, or another organisation's
}

// Person returns a person's housing to a housing or case worker. Rent
// support, proposals and profile are the caller's organisation's only.
// Errors: Invalid.
func (s *Service) Person(ctx context.Context, person string) (*PersonHousing, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := domain.Pseudonym("pseudonym", person); err != nil {
		return nil, err
	}
	steps, err := s.Steps.ByPerson(ctx, person)
	if err != nil {
		return nil, err
	}
	for i := range steps {
		if steps[i].Organisation != p.Organisation {
			steps[i].AccommodationID, steps[i].RecordedBy, steps[i].EndedBy = "", "", ""
		}
	}
	rs, err := s.RentSupports.ByPerson(ctx, person)
	if err != nil {
		return nil, err
	}
	ps, err := s.Proposals.ByPerson(ctx, person)
	if err != nil {
		return nil, err
	}
	out := &PersonHousing{
		Person: person, Steps: steps,
		RentSupports: slices.DeleteFunc(rs, func(r domain.RentSupport) bool { return r.Organisation != p.Organisation }),
		Proposals:    slices.DeleteFunc(ps, func(x domain.Proposal) bool { return x.Organisation != p.Organisation }),
	}
	prof, err := s.Profiles.Get(ctx, person)
	switch {
	case err == nil && prof.Organisation == p.Organisation:
		out.Profile = prof
	case err != nil && errcode.Of(err) != errcode.NotFound:
		return nil, err
	}
	return out, nil
}

// ExportRow is one line of an organisation's steps export, with the
// accommodation's name, never its address.
type ExportRow struct {
	domain.Step
	AccommodationName string
	Territory         string
}

// ExportSteps returns every step the caller's organisation recorded, for
// the export its reporting (e.g. to SIRIT) needs.
func (s *Service) ExportSteps(ctx context.Context) ([]ExportRow, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	steps, err := s.Steps.ByOrganisation(ctx, p.Organisation)
	if err != nil {
		return nil, err
	}
	accs, err := s.Accommodations.ByOrganisation(ctx, p.Organisation)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]domain.Accommodation, len(accs))
	for _, a := range accs {
		byID[a.ID] = a
	}
	rows := make([]ExportRow, len(steps))
	for i, st := range steps {
		a := byID[st.AccommodationID]
		rows[i] = ExportRow{Step: st, AccommodationName: a.Name, Territory: a.Territory}
	}
	return rows, nil
}

// RentSupportInput is a grant of rent support.
type RentSupportInput struct {
	Person             string
	MonthlyAmountCents int64
	Months             int
	Start              string
}

// GrantRentSupport grants rent support to a person. Errors: Invalid naming
// the field.
func (s *Service) GrantRentSupport(ctx context.Context, in RentSupportInput) (*domain.RentSupport, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	start, err := domain.ParseDate("start", in.Start)
	if err != nil {
		return nil, err
	}
	r, err := domain.NewRentSupport(events.NewID(), in.Person, p.Organisation, in.MonthlyAmountCents, in.Months, start, p.Subject, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.RentSupports.Grant(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// PayRentSupport records the payment of a month ("YYYY-MM") of a grant.
// Errors: Invalid naming the field, NotFound, Forbidden, Conflict.
func (s *Service) PayRentSupport(ctx context.Context, id, month string, amount int64) (*domain.RentSupport, error) {
	r, err := s.ownRentSupport(ctx, id)
	if err != nil {
		return nil, err
	}
	m, err := time.Parse("2006-01", month)
	if err != nil {
		return nil, errcode.New(errcode.Invalid, "month", "must be a month as YYYY-MM")
	}
	if err := r.Pay(m, amount, s.now()); err != nil {
		return nil, err
	}
	if err := s.RentSupports.Pay(ctx, id, r.Payments[len(r.Payments)-1]); err != nil {
		return nil, err
	}
	return r, nil
}

// EndRentSupport ends a grant before its term.
// Errors: Invalid naming the field, NotFound, Forbidden, Conflict.
func (s *Service) EndRentSupport(ctx context.Context, id, end, reason string) (*domain.RentSupport, error) {
	r, err := s.ownRentSupport(ctx, id)
	if err != nil {
		return nil, err
	}
	at, err := domain.ParseDate("end", end)
	if err != nil {
		return nil, err
	}
	if err := r.Stop(at, reason); err != nil {
		return nil, err
	}
	if err := s.RentSupports.Stop(ctx, id, r.Ended, r.EndReason); err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Service) ownRentSupport(ctx context.Context, id string) (*domain.RentSupport, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.RentSupports.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Organisation != p.Organisation {
		return nil, errcode.New(errcode.Forbidden, "rent_support_id", "the rent support was granted by another organisation")
	}
	return r, nil
}

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
	from, err := domain.ParseDate("available_from", in.AvailableFrom)
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
	if err := s.Proposals.Create(ctx, prop, o); err != nil {
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
	if leased != nil && current == nil {
		return prop, leased, nil // already complete
	}
	p, _ := caller(ctx)
	if current != nil && current.Organisation != p.Organisation {
		return nil, nil, errcode.New(errcode.Conflict, "proposal_id", "the person's current step is with another organisation, which must end it first")
	}
	if prop.Outcome != domain.Leased {
		signed, err := domain.ParseDate("signed_on", in.SignedOn)
		if err != nil {
			return nil, nil, err
		}
		start, err := domain.ParseDate("start", in.Start)
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
		if err := s.Proposals.Sign(ctx, prop); err != nil {
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
		if err := s.Steps.Start(ctx, next, 0); err != nil {
			return nil, nil, err
		}
	}
	if current != nil {
		if err := current.Close(next.Start, domain.LeaseOfOwn, domain.Destination(domain.OwnLease), p.Subject, s.now()); err != nil {
			return nil, nil, err
		}
		if err := s.Steps.End(ctx, current, false); err != nil && errcode.Of(err) != errcode.Conflict {
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
