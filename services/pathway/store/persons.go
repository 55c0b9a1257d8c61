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
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// Persons holds one document per person with everything about them that
// is bounded (permits, plan, alerts, transfers), so every change and its
// events are one single-document write, and the queries of people.
type Persons struct {
	*versioned.Collection[domain.Person, personDoc]
}

// NewPersons returns the person store of db; notify is told when events
// wait (the relay's Notify).
func NewPersons(db *mongo.Database, notify outbox.Notifier) *Persons {
	return &Persons{versioned.New(db.Collection(personsColl), versioned.Config[domain.Person, personDoc]{
		What: "person", Fields: toDoc, Notify: notify,
		Value: func(id string, _ int64, d *personDoc) *domain.Person { return d.person(id) },
	})}
}

// personDoc is what is stored of a person but _id, version and outbox.
// Only the times a change never empties are omitempty: an update $sets
// the fields it names, so a field left out would keep its old value.
type personDoc struct {
	Organisation string            `bson:"organisation"`
	Territory    string            `bson:"territory"`
	DisplayName  string            `bson:"display_name"`
	CaseWorker   string            `bson:"case_worker"`
	Since        time.Time         `bson:"since"`
	RecordedAt   time.Time         `bson:"recorded_at,omitempty"`
	Programme    string            `bson:"programme"`
	Referral     string            `bson:"referral"`
	Sealed       map[string][]byte `bson:"sealed"`
	Consents     []consentDoc      `bson:"consents"`
	Permits      []permitDoc       `bson:"permits"`
	Plan         planDoc           `bson:"plan"`
	Alerts       []alertDoc        `bson:"alerts"`
	Transfers    []transferDoc     `bson:"transfers"`
	Closed       *closingDoc       `bson:"closed"`
	ErasedAt     time.Time         `bson:"erased_at,omitempty"`
	Stage        string            `bson:"stage"`
	LastActivity time.Time         `bson:"last_activity,omitempty"`
	// PendingTo is the organisation a pending transfer is addressed to: a
	// scalar field, because filters on fields of arrays of subdocuments
	// silently match nothing on FerretDB v1 (the patch did not change that).
	PendingTo string `bson:"pending_to"`
}

type consentDoc struct {
	Scope       string    `bson:"scope"`
	GivenAt     time.Time `bson:"given_at"`
	WithdrawnAt time.Time `bson:"withdrawn_at,omitempty"`
}

type permitDoc struct {
	Kind          string    `bson:"kind"`
	ValidFrom     time.Time `bson:"valid_from"`
	ValidUntil    time.Time `bson:"valid_until,omitempty"`
	MayWork       bool      `bson:"may_work"`
	ConvertedFrom string    `bson:"converted_from,omitempty"`
	RecordedAt    time.Time `bson:"recorded_at"`
}

type goalDoc struct {
	ID       string    `bson:"id"`
	Domain   string    `bson:"domain"`
	Title    string    `bson:"title"`
	Target   time.Time `bson:"target,omitempty"`
	FollowBy string    `bson:"follow_by"`
	Status   string    `bson:"status"`
}

type revisionDoc struct {
	Revision  int       `bson:"revision"`
	Goals     []goalDoc `bson:"goals"`
	UpdatedAt time.Time `bson:"updated_at,omitempty"`
	UpdatedBy string    `bson:"updated_by,omitempty"`
}

type planDoc struct {
	Current revisionDoc   `bson:"current"`
	History []revisionDoc `bson:"history"`
}

type alertDoc struct {
	ID             string    `bson:"id"`
	Kind           string    `bson:"kind"`
	RaisedAt       time.Time `bson:"raised_at"`
	Due            time.Time `bson:"due,omitempty"`
	AcknowledgedAt time.Time `bson:"acknowledged_at,omitempty"`
	AcknowledgedBy string    `bson:"acknowledged_by,omitempty"`
	ResolvedAt     time.Time `bson:"resolved_at,omitempty"`
	ResolvedBy     string    `bson:"resolved_by,omitempty"`
	Note           string    `bson:"note,omitempty"`
}

type transferDoc struct {
	ID               string    `bson:"id"`
	FromOrganisation string    `bson:"from_organisation"`
	ToOrganisation   string    `bson:"to_organisation"`
	ToTerritory      string    `bson:"to_territory,omitempty"`
	Reason           string    `bson:"reason"`
	RequestedAt      time.Time `bson:"requested_at"`
	RequestedBy      string    `bson:"requested_by"`
	Status           string    `bson:"status"`
	DecidedAt        time.Time `bson:"decided_at,omitempty"`
	DecidedBy        string    `bson:"decided_by,omitempty"`
}

type closingDoc struct {
	Reason string    `bson:"reason"`
	On     time.Time `bson:"on"`
	Note   string    `bson:"note,omitempty"`
	By     string    `bson:"by"`
}

func toDoc(p *domain.Person) personDoc {
	d := personDoc{
		Organisation: p.Organisation, Territory: p.Territory,
		DisplayName: p.DisplayName, CaseWorker: p.CaseWorker, Since: p.Since, RecordedAt: p.RecordedAt, Programme: string(p.Programme),
		Referral: string(p.Referral), Sealed: p.Sealed, ErasedAt: p.ErasedAt, Stage: string(p.Stage), LastActivity: p.LastActivity,
		Consents: []consentDoc{}, Permits: []permitDoc{}, Alerts: []alertDoc{}, Transfers: []transferDoc{},
		Plan: planDoc{Current: revision(p.Plan.Revision, p.Plan.Goals, p.Plan.UpdatedAt, p.Plan.UpdatedBy), History: []revisionDoc{}},
	}
	for _, c := range p.Consents {
		d.Consents = append(d.Consents, consentDoc(c))
	}
	for _, x := range p.Permits {
		d.Permits = append(d.Permits, permitDoc{Kind: string(x.Kind), ValidFrom: x.ValidFrom, ValidUntil: x.ValidUntil, MayWork: x.MayWork, ConvertedFrom: string(x.ConvertedFrom), RecordedAt: x.RecordedAt})
	}
	for _, h := range p.Plan.History {
		d.Plan.History = append(d.Plan.History, revision(h.Revision, h.Goals, h.UpdatedAt, h.UpdatedBy))
	}
	for _, a := range p.Alerts {
		d.Alerts = append(d.Alerts, alertDoc{ID: a.ID, Kind: string(a.Kind), RaisedAt: a.RaisedAt, Due: a.Due, AcknowledgedAt: a.AcknowledgedAt, AcknowledgedBy: a.AcknowledgedBy, ResolvedAt: a.ResolvedAt, ResolvedBy: a.ResolvedBy, Note: a.Note})
	}
	for _, t := range p.Transfers {
		d.Transfers = append(d.Transfers, transferDoc(t))
	}
	if c := p.Closed; c != nil {
		d.Closed = &closingDoc{Reason: string(c.Reason), On: c.On, Note: c.Note, By: c.By}
	}
	if t := p.Pending(); t != nil {
		d.PendingTo = t.ToOrganisation
	}
	return d
}

func revision(n int, goals []domain.Goal, at time.Time, by string) revisionDoc {
	r := revisionDoc{Revision: n, Goals: []goalDoc{}, UpdatedAt: at, UpdatedBy: by}
	for _, g := range goals {
		r.Goals = append(r.Goals, goalDoc{ID: g.ID, Domain: string(g.Domain), Title: g.Title, Target: g.Target, FollowBy: g.FollowBy, Status: g.Status})
	}
	return r
}

func goals(gs []goalDoc) []domain.Goal {
	out := make([]domain.Goal, len(gs))
	for i, g := range gs {
		out[i] = domain.Goal{ID: g.ID, Domain: domain.Area(g.Domain), Title: g.Title, Target: utc(g.Target), FollowBy: g.FollowBy, Status: g.Status}
	}
	return out
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func (d *personDoc) person(pseudonym string) *domain.Person {
	p := &domain.Person{
		Pseudonym: pseudonym, Organisation: d.Organisation, Territory: d.Territory, DisplayName: d.DisplayName,
		CaseWorker: d.CaseWorker, Since: utc(d.Since), RecordedAt: utc(d.RecordedAt), Programme: domain.Programme(d.Programme), Referral: domain.Referral(d.Referral),
		Sealed: d.Sealed, ErasedAt: utc(d.ErasedAt), Stage: domain.Stage(d.Stage), LastActivity: utc(d.LastActivity),
		Plan: domain.Plan{Revision: d.Plan.Current.Revision, Goals: goals(d.Plan.Current.Goals), UpdatedAt: utc(d.Plan.Current.UpdatedAt), UpdatedBy: d.Plan.Current.UpdatedBy},
	}
	for _, c := range d.Consents {
		p.Consents = append(p.Consents, domain.Consent{Scope: c.Scope, GivenAt: utc(c.GivenAt), WithdrawnAt: utc(c.WithdrawnAt)})
	}
	for _, x := range d.Permits {
		p.Permits = append(p.Permits, domain.Permit{Kind: domain.PermitKind(x.Kind), ValidFrom: utc(x.ValidFrom), ValidUntil: utc(x.ValidUntil), MayWork: x.MayWork, ConvertedFrom: domain.PermitKind(x.ConvertedFrom), RecordedAt: utc(x.RecordedAt)})
	}
	for _, h := range d.Plan.History {
		p.Plan.History = append(p.Plan.History, domain.PlanRevision{Revision: h.Revision, Goals: goals(h.Goals), UpdatedAt: utc(h.UpdatedAt), UpdatedBy: h.UpdatedBy})
	}
	for _, a := range d.Alerts {
		p.Alerts = append(p.Alerts, domain.Alert{ID: a.ID, Kind: domain.AlertKind(a.Kind), RaisedAt: utc(a.RaisedAt), Due: utc(a.Due), AcknowledgedAt: utc(a.AcknowledgedAt), AcknowledgedBy: a.AcknowledgedBy, ResolvedAt: utc(a.ResolvedAt), ResolvedBy: a.ResolvedBy, Note: a.Note})
	}
	for _, t := range d.Transfers {
		p.Transfers = append(p.Transfers, domain.Transfer{ID: t.ID, FromOrganisation: t.FromOrganisation, ToOrganisation: t.ToOrganisation, ToTerritory: t.ToTerritory, Reason: t.Reason, RequestedAt: utc(t.RequestedAt), RequestedBy: t.RequestedBy, Status: t.Status, DecidedAt: utc(t.DecidedAt), DecidedBy: t.DecidedBy})
	}
	if c := d.Closed; c != nil {
		p.Closed = &domain.Closing{Reason: domain.ClosingReason(c.Reason), On: utc(c.On), Note: c.Note, By: c.By}
	}
	return p
}

// Seed stores p as is, without events: for seeding and tests.
func (s *Persons) Seed(ctx context.Context, p *domain.Person) error {
	_, err := s.Upsert(ctx, p.Pseudonym, func(string) *domain.Person { return p }, func(stored *domain.Person) ([]outbox.Message, error) {
		*stored = *p
		return nil, nil
	})
	return err
}

// Summarise sets p's stage and last activity, which derive from the
// timeline, without reading the person first: a check that changes nothing
// else writes only those two. It leaves the version alone: an Update that
// read the person before may write the old two back, and the next check of
// that person sets them again.
func (s *Persons) Summarise(ctx context.Context, pseudonym string, stage domain.Stage, last time.Time) error {
	set := bson.D{{Key: "stage", Value: nil}, {Key: "last_activity", Value: nil}}
	if stage != "" {
		set[0].Value = string(stage)
	}
	if !last.IsZero() {
		set[1].Value = utc(last)
	}
	res, err := s.Mongo().UpdateOne(ctx, bson.D{{Key: "_id", Value: pseudonym}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("summarise person %s: %w", pseudonym, mongostore.Translate(err))
	}
	if res.MatchedCount == 0 {
		return errcode.New(errcode.NotFound, "pseudonym", "no such person")
	}
	return nil
}

// All returns every person without their sealed fields or outbox.
func (s *Persons) All(ctx context.Context) ([]*domain.Person, error) {
	return s.find(ctx, bson.D{})
}

// TransfersTo returns the people with a transfer pending to org.
func (s *Persons) TransfersTo(ctx context.Context, org string) ([]*domain.Person, error) {
	return s.find(ctx, bson.D{{Key: "pending_to", Value: org}})
}

// InCharge returns the people org is in charge of: an indexed lookup by
// organisation, without the fields a caseload does not show.
func (s *Persons) InCharge(ctx context.Context, org string) ([]*domain.Person, error) {
	return s.find(ctx, bson.D{{Key: "organisation", Value: org}}, "plan", "consents", "transfers")
}

// find returns the people filter matches, without their sealed fields,
// their outbox and the fields named in without.
func (s *Persons) find(ctx context.Context, filter bson.D, without ...string) ([]*domain.Person, error) {
	projection := bson.D{{Key: "sealed", Value: 0}, {Key: "outbox", Value: 0}}
	for _, f := range without {
		projection = append(projection, bson.E{Key: f, Value: 0})
	}
	return s.Find(ctx, filter, options.Find().SetProjection(projection))
}
