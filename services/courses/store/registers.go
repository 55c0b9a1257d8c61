package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/register/registerdoc"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Registers is the register collection: a register, its corrections and
// their events are one document, under the lesson's id.
type Registers struct {
	*versioned.Collection[domain.Register, RegisterFields]
}

// NewRegisters returns the register store of db; notify is told of writes
// that left events (the relay's Notify).
func NewRegisters(db *mongo.Database, notify outbox.Notifier) *Registers {
	return &Registers{versioned.New(db.Collection(registersColl), versioned.Config[domain.Register, RegisterFields]{
		What: "register", Fields: toRegisterFields, Value: toRegister, VersionField: "revision", Legacy: true, Notify: notify,
	})}
}

// RegisterFields are a register document's fields but its _id, revision
// and outbox.
type RegisterFields struct {
	ClassID            string `bson:"class_id"`
	CourseID           string `bson:"course_id"`
	CourseKind         string `bson:"course_kind"`
	Organisation       string `bson:"organisation"`
	registerdoc.Fields `bson:",inline"`
}

func toRegisterFields(r *domain.Register) RegisterFields {
	return RegisterFields{
		ClassID: r.ClassID, CourseID: r.CourseID, CourseKind: string(r.CourseKind), Organisation: r.Organisation,
		Fields: registerdoc.FromSheet(r.Sheet),
	}
}

func toRegister(lessonID string, revision int64, d *RegisterFields) *domain.Register {
	return &domain.Register{
		LessonID: lessonID, ClassID: d.ClassID, CourseID: d.CourseID, CourseKind: domain.CourseKind(d.CourseKind),
		Organisation: d.Organisation, Sheet: d.Sheet(int(revision)),
	}
}

func (s *Registers) OfClass(ctx context.Context, classID string) ([]*domain.Register, error) {
	return s.Find(ctx, bson.D{{Key: "class_id", Value: classID}})
}

// Recorded reads only each register's lesson and class: at start, over
// every register.
func (s *Registers) Recorded(ctx context.Context) (map[string][]string, error) {
	type recordedDoc struct {
		LessonID string `bson:"_id"`
		ClassID  string `bson:"class_id"`
	}
	ds, err := project[recordedDoc](ctx, s.Mongo(), "class_id")
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, d := range ds {
		out[d.ClassID] = append(out[d.ClassID], d.LessonID)
	}
	return out, nil
}
