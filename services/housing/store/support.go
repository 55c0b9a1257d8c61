package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/housing/domain"
)

// RentSupports stores rent support: a grant, each month paid and its early
// end are records inserted once.
type RentSupports struct {
	c              *versioned.Collection[rentSupportFields, rentSupportFields]
	payments, ends *mongo.Collection
}

// NewRentSupports returns the rent support store of db; notify as NewSteps.
func NewRentSupports(db *mongo.Database, notify outbox.Notifier) *RentSupports {
	return &RentSupports{
		c:        records[rentSupportFields](db, rentSupportsColl, "rent support", notify),
		payments: db.Collection(rentPaymentsColl), ends: db.Collection(rentSupportEndsColl),
	}
}

type rentSupportDoc = record[rentSupportFields]

type rentSupportFields struct {
	Person       string    `bson:"person"`
	Organisation string    `bson:"organisation"`
	MonthlyCents int64     `bson:"monthly_cents"`
	Months       int       `bson:"months"`
	Start        time.Time `bson:"start"`
	GrantedBy    string    `bson:"granted_by"`
	GrantedAt    time.Time `bson:"granted_at"`
}

// paymentDoc is a month paid; its id "<support>/<YYYY-MM>" pays a month once.
type paymentDoc struct {
	ID          string    `bson:"_id"`
	SupportID   string    `bson:"support_id"`
	Month       string    `bson:"month"`
	AmountCents int64     `bson:"amount_cents"`
	PaidAt      time.Time `bson:"paid_at"`
}

type rentSupportEndDoc struct {
	SupportID string    `bson:"_id"`
	Ended     time.Time `bson:"ended"`
	Reason    string    `bson:"reason"`
}

func (s *RentSupports) Grant(ctx context.Context, r *domain.RentSupport, events []outbox.Message) error {
	return create(ctx, s.c, r.ID, rentSupportFields{
		Person: r.Person, Organisation: r.Organisation, MonthlyCents: r.MonthlyCents, Months: r.Months,
		Start: r.Start, GrantedBy: r.GrantedBy, GrantedAt: r.GrantedAt,
	}, events, "id", "the rent support already exists")
}

func (s *RentSupports) Get(ctx context.Context, id string) (*domain.RentSupport, error) {
	d, err := get[rentSupportDoc](ctx, s.c.Mongo(), id, "rent support")
	if err != nil {
		return nil, err
	}
	rs, err := s.complete(ctx, []rentSupportDoc{*d})
	if err != nil {
		return nil, err
	}
	return &rs[0], nil
}

func (s *RentSupports) Pay(ctx context.Context, id string, p domain.Payment) error {
	return insert(ctx, s.payments, paymentDoc{ID: id + "/" + p.Month, SupportID: id, Month: p.Month, AmountCents: p.AmountCents, PaidAt: p.PaidAt},
		"month", "the month was already paid")
}

func (s *RentSupports) Stop(ctx context.Context, id string, at time.Time, reason string) error {
	return insert(ctx, s.ends, rentSupportEndDoc{SupportID: id, Ended: at, Reason: reason}, "rent_support_id", "the rent support has already ended")
}

func (s *RentSupports) ByPerson(ctx context.Context, person string) ([]domain.RentSupport, error) {
	ds, err := list[rentSupportDoc](ctx, s.c.Mongo(), bson.D{{Key: "person", Value: person}}, bson.D{{Key: "start", Value: 1}}, "rent supports")
	if err != nil {
		return nil, err
	}
	return s.complete(ctx, ds)
}

// complete reads the payments and ends of grants.
func (s *RentSupports) complete(ctx context.Context, ds []rentSupportDoc) ([]domain.RentSupport, error) {
	ids := make([]string, len(ds))
	for i := range ds {
		ids[i] = ds[i].ID
	}
	out := make([]domain.RentSupport, len(ds))
	if len(ds) == 0 {
		return out, nil
	}
	paid, err := list[paymentDoc](ctx, s.payments, bson.D{{Key: "support_id", Value: bson.D{{Key: "$in", Value: ids}}}}, bson.D{{Key: "month", Value: 1}}, "rent payments")
	if err != nil {
		return nil, err
	}
	ends, err := byIDs(ctx, s.ends, ids, func(d *rentSupportEndDoc) string { return d.SupportID })
	if err != nil {
		return nil, err
	}
	for i, d := range ds {
		f := &d.Fields
		r := domain.RentSupport{
			ID: d.ID, Person: f.Person, Organisation: f.Organisation, MonthlyCents: f.MonthlyCents, Months: f.Months,
			Start: utc(f.Start), GrantedBy: f.GrantedBy, GrantedAt: utc(f.GrantedAt),
		}
		for _, p := range paid {
			if p.SupportID == d.ID {
				r.Payments = append(r.Payments, domain.Payment{Month: p.Month, AmountCents: p.AmountCents, PaidAt: utc(p.PaidAt)})
			}
		}
		if e, ok := ends[d.ID]; ok {
			r.Ended, r.EndReason = utc(e.Ended), e.Reason
		}
		out[i] = r
	}
	return out, nil
}

// Offers implements domain.Offers. An offer taken by a lease is a record
// of its own, inserted once, so two leases never take the same offer.
type Offers struct{ c, takings *mongo.Collection }

// NewOffers returns the offer store of db.
func NewOffers(db *mongo.Database) *Offers {
	return &Offers{c: db.Collection(offersColl), takings: db.Collection(takingsColl)}
}

type offerDoc struct {
	ID               string    `bson:"_id"`
	Organisation     string    `bson:"organisation"`
	Source           string    `bson:"source"`
	MonthlyRentCents int64     `bson:"monthly_rent_cents"`
	Territory        string    `bson:"territory"`
	Area             string    `bson:"area"`
	Places           int       `bson:"places"`
	Conditions       string    `bson:"conditions"`
	AvailableFrom    time.Time `bson:"available_from"`
	CreatedAt        time.Time `bson:"created_at"`
}

type takingDoc struct {
	OfferID    string `bson:"_id"`
	ProposalID string `bson:"proposal_id"`
}

func (d *offerDoc) domain(taken bool) domain.Offer {
	o := domain.Offer{
		ID: d.ID, Organisation: d.Organisation, Source: domain.OfferSource(d.Source), MonthlyRentCents: d.MonthlyRentCents,
		Territory: d.Territory, Area: d.Area, Places: d.Places, Conditions: d.Conditions, AvailableFrom: utc(d.AvailableFrom),
		Status: domain.OfferOpen, CreatedAt: utc(d.CreatedAt),
	}
	if taken {
		o.Status = domain.OfferTaken
	}
	return o
}

func (s *Offers) Create(ctx context.Context, o *domain.Offer) error {
	return insert(ctx, s.c, offerDoc{
		ID: o.ID, Organisation: o.Organisation, Source: string(o.Source), MonthlyRentCents: o.MonthlyRentCents,
		Territory: o.Territory, Area: o.Area, Places: o.Places, Conditions: o.Conditions, AvailableFrom: o.AvailableFrom,
		CreatedAt: o.CreatedAt,
	}, "id", "the offer already exists")
}

func (s *Offers) Get(ctx context.Context, id string) (*domain.Offer, error) {
	d, err := get[offerDoc](ctx, s.c, id, "offer")
	if err != nil {
		return nil, err
	}
	taken, err := byIDs(ctx, s.takings, []string{id}, func(d *takingDoc) string { return d.OfferID })
	if err != nil {
		return nil, err
	}
	_, isTaken := taken[id]
	o := d.domain(isTaken)
	return &o, nil
}

func (s *Offers) Open(ctx context.Context, territory string) ([]domain.Offer, error) {
	filter := bson.D{}
	if territory != "" {
		filter = bson.D{{Key: "territory", Value: territory}}
	}
	ds, err := list[offerDoc](ctx, s.c, filter, bson.D{{Key: "_id", Value: 1}}, "offers")
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ds))
	for i := range ds {
		ids[i] = ds[i].ID
	}
	taken, err := byIDs(ctx, s.takings, ids, func(d *takingDoc) string { return d.OfferID })
	if err != nil {
		return nil, err
	}
	out := make([]domain.Offer, 0, len(ds))
	for i := range ds {
		if _, isTaken := taken[ds[i].ID]; !isTaken {
			out = append(out, ds[i].domain(false))
		}
	}
	return out, nil
}

func (s *Offers) Take(ctx context.Context, id, proposal string) error {
	err := insert(ctx, s.takings, takingDoc{OfferID: id, ProposalID: proposal}, "offer_id", "the offer was leased to someone else")
	if errcode.Of(err) != errcode.Conflict {
		return err
	}
	d, getErr := get[takingDoc](ctx, s.takings, id, "offer taking")
	if getErr != nil {
		return errors.Join(err, getErr)
	}
	if d.ProposalID == proposal {
		return nil // taken by this very lease: a retry
	}
	return err
}

// Profiles implements domain.Profiles: a profile is replaced whole by the
// last edit.
type Profiles struct {
	c *versioned.Collection[domain.Profile, profileFields]
}

// NewProfiles returns the profile store of db.
func NewProfiles(db *mongo.Database) *Profiles {
	return &Profiles{versioned.New(db.Collection(profilesColl), versioned.Config[domain.Profile, profileFields]{
		What: "profile", Legacy: true, // profiles stored before they had a version
		Fields: func(p *domain.Profile) profileFields {
			return profileFields{
				Organisation: p.Organisation, MonthlyIncomeCents: p.MonthlyIncomeCents, HouseholdSize: p.HouseholdSize,
				WorkTerritory: p.WorkTerritory, WorkArea: p.WorkArea, UpdatedAt: p.UpdatedAt,
			}
		},
		Value: func(person string, _ int64, f *profileFields) *domain.Profile {
			return &domain.Profile{
				Person: person, Organisation: f.Organisation, MonthlyIncomeCents: f.MonthlyIncomeCents, HouseholdSize: f.HouseholdSize,
				WorkTerritory: f.WorkTerritory, WorkArea: f.WorkArea, UpdatedAt: utc(f.UpdatedAt),
			}
		},
	})}
}

type profileFields struct {
	Organisation       string    `bson:"organisation"`
	MonthlyIncomeCents int64     `bson:"monthly_income_cents"`
	HouseholdSize      int       `bson:"household_size"`
	WorkTerritory      string    `bson:"work_territory"`
	WorkArea           string    `bson:"work_area"`
	UpdatedAt          time.Time `bson:"updated_at"`
}

func (s *Profiles) Put(ctx context.Context, p *domain.Profile) error {
	return s.c.Replace(ctx, p.Person, p)
}

func (s *Profiles) Get(ctx context.Context, person string) (*domain.Profile, error) {
	return s.c.Get(ctx, person)
}

// Proposals stores proposals: a proposal, its outcome and its lease are
// records inserted once.
type Proposals struct {
	c        *versioned.Collection[proposalFields, proposalFields]
	leases   *versioned.Collection[leaseFields, leaseFields]
	outcomes *mongo.Collection
}

// NewProposals returns the proposal store of db; notify as NewSteps.
func NewProposals(db *mongo.Database, notify outbox.Notifier) *Proposals {
	return &Proposals{
		c: records[proposalFields](db, proposalsColl, "proposal", notify), leases: records[leaseFields](db, leasesColl, "lease", notify),
		outcomes: db.Collection(outcomesColl),
	}
}

type proposalDoc = record[proposalFields]

type proposalFields struct {
	OfferID      string    `bson:"offer_id"`
	Person       string    `bson:"person"`
	Organisation string    `bson:"organisation"`
	ProposedBy   string    `bson:"proposed_by"`
	ProposedAt   time.Time `bson:"proposed_at"`
}

type outcomeDoc struct {
	ProposalID string    `bson:"_id"`
	Outcome    string    `bson:"outcome"`
	At         time.Time `bson:"at"`
	Reason     string    `bson:"reason,omitempty"`
}

type leaseDoc = record[leaseFields]

type leaseFields struct {
	SignedOn         time.Time `bson:"signed_on"`
	Start            time.Time `bson:"start"`
	MonthlyRentCents int64     `bson:"monthly_rent_cents"`
	DurationMonths   int       `bson:"duration_months"`
	StepID           string    `bson:"step_id"`
	RecordedAt       time.Time `bson:"recorded_at"`
}

func (s *Proposals) Create(ctx context.Context, p *domain.Proposal, events []outbox.Message) error {
	return create(ctx, s.c, p.ID, proposalFields{
		OfferID: p.OfferID, Person: p.Person, Organisation: p.Organisation, ProposedBy: p.ProposedBy, ProposedAt: p.ProposedAt,
	}, events, "id", "the proposal already exists")
}

func (s *Proposals) Get(ctx context.Context, id string) (*domain.Proposal, error) {
	d, err := get[proposalDoc](ctx, s.c.Mongo(), id, "proposal")
	if err != nil {
		return nil, err
	}
	ps, err := s.complete(ctx, []proposalDoc{*d})
	if err != nil {
		return nil, err
	}
	return &ps[0], nil
}

func (s *Proposals) Decide(ctx context.Context, p *domain.Proposal) error {
	return insert(ctx, s.outcomes, outcomeDoc{ProposalID: p.ID, Outcome: string(p.Outcome), At: p.OutcomeAt, Reason: p.OutcomeReason},
		"outcome", "the proposal was already decided")
}

func (s *Proposals) Sign(ctx context.Context, p *domain.Proposal, events []outbox.Message) error {
	l := p.Lease
	return create(ctx, s.leases, p.ID, leaseFields{
		SignedOn: l.SignedOn, Start: l.Start, MonthlyRentCents: l.MonthlyRentCents, DurationMonths: l.DurationMonths,
		StepID: l.StepID, RecordedAt: p.OutcomeAt,
	}, events, "proposal_id", "a lease was already signed for this proposal")
}

func (s *Proposals) ByPerson(ctx context.Context, person string) ([]domain.Proposal, error) {
	ds, err := list[proposalDoc](ctx, s.c.Mongo(), bson.D{{Key: "person", Value: person}}, bson.D{{Key: "proposed_at", Value: 1}}, "proposals")
	if err != nil {
		return nil, err
	}
	return s.complete(ctx, ds)
}

// complete reads the outcomes and leases of proposals.
func (s *Proposals) complete(ctx context.Context, ds []proposalDoc) ([]domain.Proposal, error) {
	ids := make([]string, len(ds))
	for i := range ds {
		ids[i] = ds[i].ID
	}
	outcomes, err := byIDs(ctx, s.outcomes, ids, func(d *outcomeDoc) string { return d.ProposalID })
	if err != nil {
		return nil, err
	}
	leases, err := byIDs(ctx, s.leases.Mongo(), ids, func(d *leaseDoc) string { return d.ID })
	if err != nil {
		return nil, err
	}
	out := make([]domain.Proposal, len(ds))
	for i, d := range ds {
		f := &d.Fields
		p := domain.Proposal{
			ID: d.ID, OfferID: f.OfferID, Person: f.Person, Organisation: f.Organisation, ProposedBy: f.ProposedBy,
			ProposedAt: utc(f.ProposedAt), Outcome: domain.Pending,
		}
		if o, ok := outcomes[d.ID]; ok {
			p.Outcome, p.OutcomeAt, p.OutcomeReason = domain.Outcome(o.Outcome), utc(o.At), o.Reason
		}
		if lease, ok := leases[d.ID]; ok {
			l := &lease.Fields
			p.Outcome, p.OutcomeAt = domain.Leased, utc(l.RecordedAt)
			p.Lease = &domain.Lease{SignedOn: utc(l.SignedOn), Start: utc(l.Start), MonthlyRentCents: l.MonthlyRentCents, DurationMonths: l.DurationMonths, StepID: l.StepID}
		}
		out[i] = p
	}
	return out, nil
}
