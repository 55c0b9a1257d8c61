package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/training/domain"
)

// Editions is the edition collection: an edition, its roster and the
// events of its changes are one document.
type Editions struct {
	*versioned.Collection[domain.Edition, EditionFields]
}

// NewEditions returns the edition store of db; notify is told of writes
// that left events (the relay's Notify).
func NewEditions(db *mongo.Database, notify outbox.Notifier) *Editions {
	return &Editions{versioned.New(db.Collection(editionsColl), versioned.Config[domain.Edition, EditionFields]{
		What: "edition", Fields: toEditionFields, Value: toEdition, Notify: notify,
	})}
}

// EditionFields are an edition's stored fields but its id, version and
// outbox. The type is exported because bson v2 silently drops an inline
// struct of an unexported type.
type EditionFields struct {
	CourseID      string         `bson:"course_id"`
	Organisation  string         `bson:"organisation"`
	Trainers      []string       `bson:"trainers"`
	Start         time.Time      `bson:"start"`
	End           time.Time      `bson:"end"`
	Roster        []enrolmentDoc `bson:"roster"`
	ClosedModules []string       `bson:"closed_modules"`
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
		ClosedModules: append([]string{}, e.ClosedModules...), Roster: make([]enrolmentDoc, len(e.Roster)),
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

func toEdition(id string, version int64, d *EditionFields) *domain.Edition {
	e := &domain.Edition{
		ID: id, CourseID: d.CourseID, Organisation: d.Organisation, Trainers: d.Trainers,
		Start: d.Start.UTC(), End: d.End.UTC(), ClosedModules: d.ClosedModules, Version: version,
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

func (s *Editions) OfTrainer(ctx context.Context, trainer string) ([]*domain.Edition, error) {
	return s.list(ctx, bson.D{{Key: "trainers", Value: trainer}})
}

func (s *Editions) OfOrganisation(ctx context.Context, org string) ([]*domain.Edition, error) {
	return s.list(ctx, bson.D{{Key: "organisation", Value: org}})
}

func (s *Editions) list(ctx context.Context, filter bson.D) ([]*domain.Edition, error) {
	return s.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "start", Value: 1}, {Key: "_id", Value: 1}}))
}
