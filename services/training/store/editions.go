package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/training/domain"
)

// EditionEventsFunc derives the events of facts that changed an edition;
// the service provides it.
type EditionEventsFunc func(ctx context.Context, e *domain.Edition, facts []domain.Fact) ([]outbox.Message, error)

// Editions implements domain.Editions: an edition, its roster and the
// events of its changes are one document.
type Editions struct {
	c         *mongo.Collection
	events    EditionEventsFunc
	onPending outbox.Notifier
}

// NewEditions returns the edition store of db. onPending is called after a
// write that left events to publish (the relay's Notify).
func NewEditions(db *mongo.Database, events EditionEventsFunc, onPending outbox.Notifier) *Editions {
	return &Editions{c: db.Collection(editionsColl), events: events, onPending: onPending}
}

// EditionFields are an edition's stored fields but its id and outbox, the
// $set of an update. The type is exported because bson v2 silently drops
// an inline struct of an unexported type.
type EditionFields struct {
	CourseID      string         `bson:"course_id"`
	Organisation  string         `bson:"organisation"`
	Trainers      []string       `bson:"trainers"`
	Start         time.Time      `bson:"start"`
	End           time.Time      `bson:"end"`
	Roster        []enrolmentDoc `bson:"roster"`
	ClosedModules []string       `bson:"closed_modules"`
	Version       int64          `bson:"version"`
}

type editionDoc struct {
	ID             string `bson:"_id"`
	EditionFields  `bson:",inline"`
	outbox.Pending `bson:",inline"`
}

type enrolmentDoc struct {
	Person         string            `bson:"person"`
	DisplayName    string            `bson:"display_name"`
	Status         string            `bson:"status"`
	EnrolledAt     time.Time         `bson:"enrolled_at"`
	Reason         string            `bson:"reason,omitempty"`
	Note           string            `bson:"note,omitempty"`
	Modules        []moduleResultDoc `bson:"modules"`
	Internship     *placementDoc     `bson:"internship,omitempty"`
	Exam           *examDoc          `bson:"exam,omitempty"`
	CertifiedUnits []string          `bson:"certified_units"`
	Qualified      bool              `bson:"qualified"`
}

type moduleResultDoc struct {
	ModuleID        string `bson:"module_id"`
	MinutesPlanned  int    `bson:"minutes_planned"`
	MinutesAttended int    `bson:"minutes_attended"`
	Reached         bool   `bson:"reached"`
}

type placementDoc struct {
	ModuleID       string         `bson:"module_id"`
	HostID         string         `bson:"host_id"`
	HostName       string         `bson:"host_name"`
	Tutor          string         `bson:"tutor"`
	PlannedMinutes int            `bson:"planned_minutes"`
	Days           []dayDoc       `bson:"days"`
	Evaluation     *evaluationDoc `bson:"evaluation,omitempty"`
}

type dayDoc struct {
	On      time.Time `bson:"on"`
	Minutes int       `bson:"minutes"`
}

type evaluationDoc struct {
	Rating int       `bson:"rating"`
	Note   string    `bson:"note"`
	By     string    `bson:"by"`
	At     time.Time `bson:"at"`
}

type examDoc struct {
	HeldOn      time.Time `bson:"held_on"`
	Outcome     string    `bson:"outcome"`
	Score       int       `bson:"score"`
	UnitsPassed []string  `bson:"units_passed"`
}

func toEditionFields(e *domain.Edition) EditionFields {
	d := EditionFields{
		CourseID: e.CourseID, Organisation: e.Organisation, Trainers: e.Trainers, Start: e.Start, End: e.End,
		ClosedModules: append([]string{}, e.ClosedModules...), Version: e.Version, Roster: make([]enrolmentDoc, len(e.Roster)),
	}
	for i, en := range e.Roster {
		r := enrolmentDoc{
			Person: en.Person, DisplayName: en.DisplayName, Status: string(en.Status), EnrolledAt: en.EnrolledAt,
			Reason: string(en.Reason), Note: en.Note, Modules: make([]moduleResultDoc, len(en.Modules)),
			CertifiedUnits: append([]string{}, en.CertifiedUnits...), Qualified: en.Qualified,
		}
		for j, m := range en.Modules {
			r.Modules[j] = moduleResultDoc(m)
		}
		if p := en.Internship; p != nil {
			r.Internship = &placementDoc{ModuleID: p.ModuleID, HostID: p.HostID, HostName: p.HostName, Tutor: p.Tutor, PlannedMinutes: p.PlannedMinutes, Days: make([]dayDoc, len(p.Days))}
			for j, day := range p.Days {
				r.Internship.Days[j] = dayDoc(day)
			}
			if ev := p.Evaluation; ev != nil {
				r.Internship.Evaluation = &evaluationDoc{Rating: ev.Rating, Note: ev.Note, By: ev.By, At: ev.At}
			}
		}
		if x := en.Exam; x != nil {
			r.Exam = &examDoc{HeldOn: x.HeldOn, Outcome: string(x.Outcome), Score: x.Score, UnitsPassed: x.UnitsPassed}
		}
		d.Roster[i] = r
	}
	return d
}

func (d *editionDoc) domain() *domain.Edition {
	e := &domain.Edition{
		ID: d.ID, CourseID: d.CourseID, Organisation: d.Organisation, Trainers: d.Trainers,
		Start: d.Start.UTC(), End: d.End.UTC(), ClosedModules: d.ClosedModules, Version: d.Version,
		Roster: make([]domain.Enrolment, len(d.Roster)),
	}
	for i, r := range d.Roster {
		en := domain.Enrolment{
			Person: r.Person, DisplayName: r.DisplayName, Status: domain.EnrolmentStatus(r.Status), EnrolledAt: r.EnrolledAt.UTC(),
			Reason: domain.WithdrawReason(r.Reason), Note: r.Note, CertifiedUnits: r.CertifiedUnits, Qualified: r.Qualified,
		}
		for _, m := range r.Modules {
			en.Modules = append(en.Modules, domain.ModuleResult(m))
		}
		if p := r.Internship; p != nil {
			en.Internship = &domain.Placement{ModuleID: p.ModuleID, HostID: p.HostID, HostName: p.HostName, Tutor: p.Tutor, PlannedMinutes: p.PlannedMinutes, Days: []domain.Day{}}
			for _, day := range p.Days {
				en.Internship.Days = append(en.Internship.Days, domain.Day{On: day.On.UTC(), Minutes: day.Minutes})
			}
			if ev := p.Evaluation; ev != nil {
				en.Internship.Evaluation = &domain.Evaluation{Rating: ev.Rating, Note: ev.Note, By: ev.By, At: ev.At.UTC()}
			}
		}
		if x := r.Exam; x != nil {
			en.Exam = &domain.ExamResult{HeldOn: x.HeldOn.UTC(), Outcome: domain.ExamOutcome(x.Outcome), Score: x.Score, UnitsPassed: x.UnitsPassed}
		}
		e.Roster[i] = en
	}
	return e
}

func (s *Editions) Get(ctx context.Context, id string) (*domain.Edition, error) {
	d, err := get[editionDoc](ctx, s.c, id, "edition")
	if err != nil {
		return nil, err
	}
	return d.domain(), nil
}

func (s *Editions) Create(ctx context.Context, e *domain.Edition) error {
	e.Version = 1
	d := editionDoc{ID: e.ID, EditionFields: toEditionFields(e), Pending: outbox.NewPending(nil)}
	if _, err := s.c.InsertOne(ctx, d); err != nil {
		return fmt.Errorf("create edition %s: %w", e.ID, mongostore.Translate(err))
	}
	return nil
}

func (s *Editions) Update(ctx context.Context, id string, change func(*domain.Edition) ([]domain.Fact, error)) (*domain.Edition, error) {
	// The write is one update of the edition, conditioned on the version
	// read, which MongoDB and the patched embedded store apply atomically:
	// a change made meanwhile, by this process or another, makes it miss
	// and try again, and a relay's clear, itself one update, loses none of
	// it.
	for range mongostore.Attempts(ctx) {
		d, err := get[editionDoc](ctx, s.c, id, "edition")
		if err != nil {
			return nil, err
		}
		e := d.domain()
		facts, err := change(e)
		if err != nil {
			return nil, err
		}
		msgs, err := s.events(ctx, e, facts)
		if err != nil {
			return nil, err
		}
		e.Version = d.Version + 1
		set, err := fields(toEditionFields(e))
		if err != nil {
			return nil, fmt.Errorf("update edition %s: %w", id, err)
		}
		update := outbox.Append(bson.D{{Key: "$set", Value: set}}, msgs)
		res, err := s.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: d.Version}}, update)
		if err != nil {
			return nil, fmt.Errorf("update edition %s: %w", id, mongostore.Translate(err))
		}
		if res.MatchedCount == 1 {
			if len(msgs) > 0 {
				s.onPending(editionsColl, id)
			}
			return e, nil
		}
	}
	return nil, errcode.New(errcode.Unavailable, "", "edition %s kept changing; retry", id)
}

func (s *Editions) OfTrainer(ctx context.Context, trainer string) ([]*domain.Edition, error) {
	return s.list(ctx, bson.D{{Key: "trainers", Value: trainer}})
}

func (s *Editions) OfOrganisation(ctx context.Context, org string) ([]*domain.Edition, error) {
	return s.list(ctx, bson.D{{Key: "organisation", Value: org}})
}

func (s *Editions) list(ctx context.Context, filter bson.D) ([]*domain.Edition, error) {
	ds, err := find[editionDoc](ctx, s.c, filter, bson.D{{Key: "start", Value: 1}, {Key: "_id", Value: 1}}, "editions")
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Edition, len(ds))
	for i := range ds {
		out[i] = ds[i].domain()
	}
	return out, nil
}

// fields turns a struct into the document of a $set.
func fields(v any) (bson.D, error) {
	b, err := bson.Marshal(v)
	if err != nil {
		return nil, err
	}
	var d bson.D
	return d, bson.Unmarshal(b, &d)
}
