package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/register/registerdoc"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/training/domain"
)

// Registers is the register collection: a register, its corrections and
// their events are one document, under the lesson's id. A register
// recorded before revisions were kept has none: it is at its first write.
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

// RegisterFields are a register's stored fields but its id, revision and
// outbox. Exported because bson v2 silently drops an inline struct of an
// unexported type.
type RegisterFields struct {
	EditionID          string `bson:"edition_id"`
	CourseID           string `bson:"course_id"`
	ModuleID           string `bson:"module_id"`
	ModuleKind         string `bson:"module_kind"`
	Organisation       string `bson:"organisation"`
	registerdoc.Fields `bson:",inline"`
}

func toRegisterFields(r *domain.Register) RegisterFields {
	return RegisterFields{
		EditionID: r.EditionID, CourseID: r.CourseID, ModuleID: r.ModuleID, ModuleKind: string(r.ModuleKind),
		Organisation: r.Organisation, Fields: registerdoc.FromSheet(r.Sheet),
	}
}

func toRegister(lessonID string, revision int64, d *RegisterFields) *domain.Register {
	return &domain.Register{
		LessonID: lessonID, EditionID: d.EditionID, CourseID: d.CourseID, ModuleID: d.ModuleID,
		ModuleKind: domain.ModuleKind(d.ModuleKind), Organisation: d.Organisation, Sheet: d.Sheet(int(revision)),
	}
}

// OfEdition lists an edition's registers in lesson order.
func (s *Registers) OfEdition(ctx context.Context, editionID string) ([]*domain.Register, error) {
	sort := bson.D{{Key: "lesson_start", Value: 1}, {Key: "_id", Value: 1}}
	return s.Find(ctx, bson.D{{Key: "edition_id", Value: editionID}}, options.Find().SetSort(sort))
}
