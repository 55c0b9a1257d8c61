package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Assessments and Certificates are written once, with their events, and
// never changed.
type (
	Assessments struct {
		*versioned.Collection[domain.Assessment, AssessmentFields]
	}
	Certificates = versioned.Collection[domain.Certificate, certificateFields]
)

// NewAssessments returns the assessment and certificate stores of db;
// notify is told of writes that left events (the relay's Notify).
func NewAssessments(db *mongo.Database, notify outbox.Notifier) (*Assessments, *Certificates) {
	assessments := versioned.New(db.Collection(assessmentsColl), versioned.Config[domain.Assessment, AssessmentFields]{
		What: "assessment", Fields: toAssessmentFields, Legacy: true, Notify: notify,
		Value: func(id string, _ int64, f *AssessmentFields) *domain.Assessment { return f.domain(id) },
	})
	return &Assessments{assessments}, versioned.New(db.Collection(certificatesColl), versioned.Config[domain.Certificate, certificateFields]{
		What: "certificate", Fields: toCertificateFields, Value: toCertificate, Legacy: true, Notify: notify,
	})
}

// AssessmentFields are an assessment's stored fields.
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

type certificateFields struct {
	ClassID      string           `bson:"class_id"`
	Person       string           `bson:"person"`
	Assessment   AssessmentFields `bson:"assessment"`
	AssessmentID string           `bson:"assessment_id"`
	By           string           `bson:"by"`
	At           time.Time        `bson:"at"`
}

func toCertificateFields(c *domain.Certificate) certificateFields {
	return certificateFields{
		ClassID: c.ClassID, Person: c.Person, Assessment: toAssessmentFields(&c.Assessment), AssessmentID: c.Assessment.ID, By: c.By, At: c.At,
	}
}

func toCertificate(id string, _ int64, f *certificateFields) *domain.Certificate {
	return &domain.Certificate{ID: id, ClassID: f.ClassID, Person: f.Person, Assessment: *f.Assessment.domain(f.AssessmentID), By: f.By, At: f.At.UTC()}
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

// Of lists the assessments of person in class, oldest first.
func (s *Assessments) Of(ctx context.Context, classID, person string) ([]*domain.Assessment, error) {
	filter := bson.D{{Key: "class_id", Value: classID}, {Key: "person", Value: person}}
	return s.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
}
