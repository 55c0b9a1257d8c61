package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// AssessmentEventsFunc and CertificateEventsFunc derive the events the
// service publishes for each.
type (
	AssessmentEventsFunc  func(ctx context.Context, a *domain.Assessment) ([]outbox.Message, error)
	CertificateEventsFunc func(ctx context.Context, c *domain.Certificate) ([]outbox.Message, error)
)

// Assessments implements domain.Assessments: each assessment and each
// certificate is written once, with its event, and never changed.
type Assessments struct {
	assessments, certificates *mongo.Collection
	assessed                  AssessmentEventsFunc
	certified                 CertificateEventsFunc
	onPending                 outbox.Notifier
}

// NewAssessments returns the assessment store of db.
func NewAssessments(db *mongo.Database, assessed AssessmentEventsFunc, certified CertificateEventsFunc, onPending outbox.Notifier) *Assessments {
	return &Assessments{
		assessments: db.Collection(assessmentsColl), certificates: db.Collection(certificatesColl),
		assessed: assessed, certified: certified, onPending: onPending,
	}
}

// AssessmentFields are an assessment's stored fields; exported only because
// the bson codec inlines exported embedded structs alone.
type AssessmentFields struct {
	ClassID      string            `bson:"class_id"`
	CourseID     string            `bson:"course_id"`
	CourseKind   string            `bson:"course_kind"`
	Organisation string            `bson:"organisation"`
	Person       string            `bson:"person"`
	Kind         string            `bson:"kind"`
	Overall      string            `bson:"cefr_overall,omitempty"`
	BySkill      map[string]string `bson:"cefr_by_skill,omitempty"`
	ByArea       map[string]int    `bson:"digcomp_by_area,omitempty"`
	By           string            `bson:"by"`
	At           time.Time         `bson:"at"`
	Attended     int               `bson:"attended"`
}

type assessmentDoc struct {
	ID               string `bson:"_id"`
	AssessmentFields `bson:",inline"`
	outbox.Pending   `bson:",inline"`
}

type certificateDoc struct {
	ID             string           `bson:"_id"`
	ClassID        string           `bson:"class_id"`
	Person         string           `bson:"person"`
	Assessment     AssessmentFields `bson:"assessment"`
	AssessmentID   string           `bson:"assessment_id"`
	By             string           `bson:"by"`
	At             time.Time        `bson:"at"`
	outbox.Pending `bson:",inline"`
}

func toAssessmentFields(a *domain.Assessment) AssessmentFields {
	f := AssessmentFields{ClassID: a.ClassID, CourseID: a.CourseID, CourseKind: string(a.CourseKind), Organisation: a.Organisation, Person: a.Person, Kind: string(a.Kind), Overall: string(a.Overall), ByArea: a.ByArea, By: a.By, At: a.At, Attended: a.Attended}
	if len(a.BySkill) > 0 {
		f.BySkill = map[string]string{}
		for s, l := range a.BySkill {
			f.BySkill[s] = string(l)
		}
	}
	return f
}

func (f AssessmentFields) domain(id string) *domain.Assessment {
	a := &domain.Assessment{
		ID: id, ClassID: f.ClassID, CourseID: f.CourseID, CourseKind: domain.CourseKind(f.CourseKind), Organisation: f.Organisation, Person: f.Person, Kind: domain.AssessmentKind(f.Kind), Overall: domain.Level(f.Overall),
		ByArea: f.ByArea, By: f.By, At: f.At.UTC(), Attended: f.Attended,
	}
	if len(f.BySkill) > 0 {
		a.BySkill = map[string]domain.Level{}
		for s, l := range f.BySkill {
			a.BySkill[s] = domain.Level(l)
		}
	}
	return a
}

func (s *Assessments) Add(ctx context.Context, a *domain.Assessment) error {
	msgs, err := s.assessed(ctx, a)
	if err != nil {
		return err
	}
	d := assessmentDoc{ID: a.ID, AssessmentFields: toAssessmentFields(a), Pending: outbox.NewPending(msgs)}
	if _, err := s.assessments.InsertOne(ctx, d); err != nil {
		return fmt.Errorf("add assessment %s: %w", a.ID, mongostore.Translate(err))
	}
	s.onPending(s.assessments.Name(), a.ID)
	return nil
}

func (s *Assessments) Of(ctx context.Context, classID, person string) ([]*domain.Assessment, error) {
	filter := bson.D{{Key: "class_id", Value: classID}, {Key: "person", Value: person}}
	ds, err := find[assessmentDoc](ctx, s.assessments, filter, options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}), "assessments")
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Assessment, len(ds))
	for i := range ds {
		out[i] = ds[i].domain(ds[i].ID)
	}
	return out, nil
}

func (s *Assessments) Certify(ctx context.Context, c *domain.Certificate) error {
	msgs, err := s.certified(ctx, c)
	if err != nil {
		return err
	}
	d := certificateDoc{
		ID: c.ID, ClassID: c.ClassID, Person: c.Person, Assessment: toAssessmentFields(&c.Assessment), AssessmentID: c.Assessment.ID,
		By: c.By, At: c.At, Pending: outbox.NewPending(msgs),
	}
	if _, err := s.certificates.InsertOne(ctx, d); err != nil {
		return fmt.Errorf("certify %s: %w", c.ID, mongostore.Translate(err))
	}
	s.onPending(s.certificates.Name(), c.ID)
	return nil
}
