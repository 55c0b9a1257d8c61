package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/housing/domain"
)

// RentSupports implements domain.RentSupports.
type RentSupports struct {
	c         *mongo.Collection
	events    Events
	onPending func()
}

// NewRentSupports returns the rent support store of db.
func NewRentSupports(db *mongo.Database, events Events, onPending func()) *RentSupports {
	return &RentSupports{c: db.Collection(rentSupportsColl), events: events, onPending: onPending}
}

type rentSupportDoc struct {
	ID             string       `bson:"_id"`
	Person         string       `bson:"person"`
	Organisation   string       `bson:"organisation"`
	MonthlyCents   int64        `bson:"monthly_cents"`
	Months         int          `bson:"months"`
	Start          time.Time    `bson:"start"`
	GrantedBy      string       `bson:"granted_by"`
	GrantedAt      time.Time    `bson:"granted_at"`
	Payments       []paymentDoc `bson:"payments"`
	Ended          time.Time    `bson:"ended,omitempty"`
	EndReason      string       `bson:"end_reason,omitempty"`
	Version        int64        `bson:"version"` // bumped by every update, so updates never cross
	outbox.Pending `bson:",inline"`
}

type paymentDoc struct {
	Month       string    `bson:"month"`
	AmountCents int64     `bson:"amount_cents"`
	PaidAt      time.Time `bson:"paid_at"`
}

func (d *rentSupportDoc) domain() domain.RentSupport {
	r := domain.RentSupport{
		ID: d.ID, Person: d.Person, Organisation: d.Organisation, MonthlyCents: d.MonthlyCents, Months: d.Months,
		Start: utc(d.Start), GrantedBy: d.GrantedBy, GrantedAt: utc(d.GrantedAt), Ended: utc(d.Ended), EndReason: d.EndReason,
	}
	for _, p := range d.Payments {
		r.Payments = append(r.Payments, domain.Payment{Month: p.Month, AmountCents: p.AmountCents, PaidAt: utc(p.PaidAt)})
	}
	return r
}

func payments(ps []domain.Payment) []paymentDoc {
	out := make([]paymentDoc, len(ps))
	for i, p := range ps {
		out[i] = paymentDoc{Month: p.Month, AmountCents: p.AmountCents, PaidAt: p.PaidAt}
	}
	return out
}

func (s *RentSupports) Grant(ctx context.Context, r *domain.RentSupport) error {
	msgs, err := s.events.RentSupportGranted(ctx, r)
	if err != nil {
		return err
	}
	d := rentSupportDoc{
		ID: r.ID, Person: r.Person, Organisation: r.Organisation, MonthlyCents: r.MonthlyCents, Months: r.Months,
		Start: r.Start, GrantedBy: r.GrantedBy, GrantedAt: r.GrantedAt, Payments: payments(r.Payments), Pending: outbox.NewPending(msgs),
	}
	if err := insert(ctx, s.c, d, r.ID, "rent support"); err != nil {
		return err
	}
	s.onPending()
	return nil
}

func (s *RentSupports) Get(ctx context.Context, id string) (*domain.RentSupport, error) {
	d, err := get[rentSupportDoc](ctx, s.c, id, "rent support")
	if err != nil {
		return nil, err
	}
	r := d.domain()
	return &r, nil
}

// Update changes only payments and end, guarded by the version read, so
// the outbox fields the relay clears are never overwritten.
func (s *RentSupports) Update(ctx context.Context, id string, change func(*domain.RentSupport) error) (*domain.RentSupport, error) {
	d, err := get[rentSupportDoc](ctx, s.c, id, "rent support")
	if err != nil {
		return nil, err
	}
	r := d.domain()
	if err := change(&r); err != nil {
		return nil, err
	}
	res, err := s.c.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "version", Value: d.Version}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "payments", Value: payments(r.Payments)}, {Key: "ended", Value: r.Ended}, {Key: "end_reason", Value: r.EndReason}}},
			{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
		})
	if err != nil {
		return nil, fmt.Errorf("update rent support %s: %w", id, mongostore.Translate(err))
	}
	if res.MatchedCount == 0 {
		return nil, errcode.New(errcode.Conflict, "rent_support_id", "changed meanwhile; reload and retry")
	}
	return &r, nil
}

func (s *RentSupports) ByPerson(ctx context.Context, person string) ([]domain.RentSupport, error) {
	ds, err := list[rentSupportDoc](ctx, s.c, bson.D{{Key: "person", Value: person}}, bson.D{{Key: "start", Value: 1}}, "rent supports")
	if err != nil {
		return nil, err
	}
	out := make([]domain.RentSupport, len(ds))
	for i := range ds {
		out[i] = ds[i].domain()
	}
	return out, nil
}

// Offers implements domain.Offers.
type Offers struct{ c *mongo.Collection }

// NewOffers returns the offer store of db.
func NewOffers(db *mongo.Database) *Offers { return &Offers{db.Collection(offersColl)} }

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
	Status           string    `bson:"status"`
	CreatedAt        time.Time `bson:"created_at"`
}

func (d *offerDoc) domain() domain.Offer {
	return domain.Offer{
		ID: d.ID, Organisation: d.Organisation, Source: domain.OfferSource(d.Source), MonthlyRentCents: d.MonthlyRentCents,
		Territory: d.Territory, Area: d.Area, Places: d.Places, Conditions: d.Conditions, AvailableFrom: utc(d.AvailableFrom),
		Status: domain.OfferStatus(d.Status), CreatedAt: utc(d.CreatedAt),
	}
}

func (s *Offers) Create(ctx context.Context, o *domain.Offer) error {
	return insert(ctx, s.c, offerDoc{
		ID: o.ID, Organisation: o.Organisation, Source: string(o.Source), MonthlyRentCents: o.MonthlyRentCents,
		Territory: o.Territory, Area: o.Area, Places: o.Places, Conditions: o.Conditions, AvailableFrom: o.AvailableFrom,
		Status: string(o.Status), CreatedAt: o.CreatedAt,
	}, o.ID, "offer")
}

func (s *Offers) Get(ctx context.Context, id string) (*domain.Offer, error) {
	d, err := get[offerDoc](ctx, s.c, id, "offer")
	if err != nil {
		return nil, err
	}
	o := d.domain()
	return &o, nil
}

func (s *Offers) Open(ctx context.Context, territory string) ([]domain.Offer, error) {
	filter := bson.D{{Key: "status", Value: string(domain.OfferOpen)}}
	if territory != "" {
		filter = append(filter, bson.E{Key: "territory", Value: territory})
	}
	ds, err := list[offerDoc](ctx, s.c, filter, bson.D{{Key: "_id", Value: 1}}, "offers")
	if err != nil {
		return nil, err
	}
	out := make([]domain.Offer, len(ds))
	for i := range ds {
		out[i] = ds[i].domain()
	}
	return out, nil
}

func (s *Offers) Take(ctx context.Context, id string) error {
	_, err := s.c.UpdateOne(ctx, byID(id), bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: string(domain.OfferTaken)}}}})
	if err != nil {
		return fmt.Errorf("take offer %s: %w", id, mongostore.Translate(err))
	}
	return nil
}

// Profiles implements domain.Profiles.
type Profiles struct{ c *mongo.Collection }

// NewProfiles returns the profile store of db.
func NewProfiles(db *mongo.Database) *Profiles { return &Profiles{db.Collection(profilesColl)} }

type profileDoc struct {
	Person             string    `bson:"_id"`
	Organisation       string    `bson:"organisation"`
	MonthlyIncomeCents int64     `bson:"monthly_income_cents"`
	HouseholdSize      int       `bson:"household_size"`
	WorkTerritory      string    `bson:"work_territory"`
	WorkArea           string    `bson:"work_area"`
	UpdatedAt          time.Time `bson:"updated_at"`
}

func (s *Profiles) Put(ctx context.Context, p *domain.Profile) error {
	d := profileDoc{
		Person: p.Person, Organisation: p.Organisation, MonthlyIncomeCents: p.MonthlyIncomeCents, HouseholdSize: p.HouseholdSize,
		WorkTerritory: p.WorkTerritory, WorkArea: p.WorkArea, UpdatedAt: p.UpdatedAt,
	}
	if _, err := s.c.ReplaceOne(ctx, byID(p.Person), d, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("put profile: %w", mongostore.Translate(err))
	}
	return nil
}

func (s *Profiles) Get(ctx context.Context, person string) (*domain.Profile, error) {
	d, err := get[profileDoc](ctx, s.c, person, "profile")
	if err != nil {
		return nil, err
	}
	return &domain.Profile{
		Person: d.Person, Organisation: d.Organisation, MonthlyIncomeCents: d.MonthlyIncomeCents, HouseholdSize: d.HouseholdSize,
		WorkTerritory: d.WorkTerritory, WorkArea: d.WorkArea, UpdatedAt: utc(d.UpdatedAt),
	}, nil
}

// Proposals implements domain.Proposals.
type Proposals struct {
	c         *mongo.Collection
	events    Events
	onPending func()
}

// NewProposals returns the proposal store of db.
func NewProposals(db *mongo.Database, events Events, onPending func()) *Proposals {
	return &Proposals{c: db.Collection(proposalsColl), events: events, onPending: onPending}
}

type proposalDoc struct {
	ID             string    `bson:"_id"`
	OfferID        string    `bson:"offer_id"`
	Person         string    `bson:"person"`
	Organisation   string    `bson:"organisation"`
	ProposedBy     string    `bson:"proposed_by"`
	ProposedAt     time.Time `bson:"proposed_at"`
	Outcome        string    `bson:"outcome"`
	OutcomeAt      time.Time `bson:"outcome_at,omitempty"`
	OutcomeReason  string    `bson:"outcome_reason,omitempty"`
	Lease          *leaseDoc `bson:"lease,omitempty"`
	outbox.Pending `bson:",inline"`
}

type leaseDoc struct {
	SignedOn         time.Time `bson:"signed_on"`
	Start            time.Time `bson:"start"`
	MonthlyRentCents int64     `bson:"monthly_rent_cents"`
	DurationMonths   int       `bson:"duration_months"`
	StepID           string    `bson:"step_id"`
}

func (d *proposalDoc) domain() domain.Proposal {
	p := domain.Proposal{
		ID: d.ID, OfferID: d.OfferID, Person: d.Person, Organisation: d.Organisation, ProposedBy: d.ProposedBy,
		ProposedAt: utc(d.ProposedAt), Outcome: domain.Outcome(d.Outcome), OutcomeAt: utc(d.OutcomeAt), OutcomeReason: d.OutcomeReason,
	}
	if l := d.Lease; l != nil {
		p.Lease = &domain.Lease{SignedOn: utc(l.SignedOn), Start: utc(l.Start), MonthlyRentCents: l.MonthlyRentCents, DurationMonths: l.DurationMonths, StepID: l.StepID}
	}
	return p
}

func (s *Proposals) Create(ctx context.Context, p *domain.Proposal, o *domain.Offer) error {
	msgs, err := s.events.OfferProposed(ctx, p, o)
	if err != nil {
		return err
	}
	d := proposalDoc{
		ID: p.ID, OfferID: p.OfferID, Person: p.Person, Organisation: p.Organisation, ProposedBy: p.ProposedBy,
		ProposedAt: p.ProposedAt, Outcome: string(p.Outcome), Pending: outbox.NewPending(msgs),
	}
	if err := insert(ctx, s.c, d, p.ID, "proposal"); err != nil {
		return err
	}
	s.onPending()
	return nil
}

func (s *Proposals) Get(ctx context.Context, id string) (*domain.Proposal, error) {
	d, err := get[proposalDoc](ctx, s.c, id, "proposal")
	if err != nil {
		return nil, err
	}
	p := d.domain()
	return &p, nil
}

func (s *Proposals) Decide(ctx context.Context, p *domain.Proposal) error {
	return s.transition(ctx, p, domain.Pending, bson.D{{Key: "$set", Value: bson.D{
		{Key: "outcome", Value: string(p.Outcome)}, {Key: "outcome_at", Value: p.OutcomeAt}, {Key: "outcome_reason", Value: p.OutcomeReason},
	}}})
}

func (s *Proposals) Sign(ctx context.Context, p *domain.Proposal) error {
	msgs, err := s.events.LeaseSigned(ctx, p)
	if err != nil {
		return err
	}
	l := p.Lease
	update := outbox.Append(bson.D{{Key: "$set", Value: bson.D{
		{Key: "outcome", Value: string(p.Outcome)}, {Key: "outcome_at", Value: p.OutcomeAt},
		{Key: "lease", Value: leaseDoc{SignedOn: l.SignedOn, Start: l.Start, MonthlyRentCents: l.MonthlyRentCents, DurationMonths: l.DurationMonths, StepID: l.StepID}},
	}}}, msgs)
	if err := s.transition(ctx, p, domain.Accepted, update); err != nil {
		return err
	}
	s.onPending()
	return nil
}

// transition applies update if the stored outcome is still from.
func (s *Proposals) transition(ctx context.Context, p *domain.Proposal, from domain.Outcome, update bson.D) error {
	res, err := s.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: p.ID}, {Key: "outcome", Value: string(from)}}, update)
	if err != nil {
		return fmt.Errorf("update proposal %s: %w", p.ID, mongostore.Translate(err))
	}
	if res.MatchedCount == 0 {
		return errcode.New(errcode.Conflict, "proposal_id", "the proposal changed meanwhile; reload it")
	}
	return nil
}

func (s *Proposals) ByPerson(ctx context.Context, person string) ([]domain.Proposal, error) {
	ds, err := list[proposalDoc](ctx, s.c, bson.D{{Key: "person", Value: person}}, bson.D{{Key: "proposed_at", Value: 1}}, "proposals")
	if err != nil {
		return nil, err
	}
	out := make([]domain.Proposal, len(ds))
	for i := range ds {
		out[i] = ds[i].domain()
	}
	return out, nil
}
