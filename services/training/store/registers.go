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
	"github.com/percorsi/percorsi/pkg/register/registerdoc"
	"github.com/percorsi/percorsi/services/training/domain"
)

// RegisterEventsFunc derives a new register's events; the service provides it.
type RegisterEventsFunc func(ctx context.Context, r *domain.Register) ([]outbox.Message, error)

// Registers implements domain.Registers: a register and its events are
// inserted as one document.
type Registers struct {
	c         *mongo.Collection
	events    RegisterEventsFunc
	onPending outbox.Notifier
}

// NewRegisters returns the register store of db. onPending is called after
// a write that left events to publish (the relay's Notify).
func NewRegisters(db *mongo.Database, events RegisterEventsFunc, onPending outbox.Notifier) *Registers {
	return &Registers{c: db.Collection(registersColl), events: events, onPending: onPending}
}

// RegisterFields are a register's stored fields but its id and outbox.
// Exported because bson v2 silently drops an inline struct of an
// unexported type.
type RegisterFields struct {
	EditionID     string                   `bson:"edition_id"`
	CourseID      string                   `bson:"course_id"`
	ModuleID      string                   `bson:"module_id"`
	ModuleKind    string                   `bson:"module_kind"`
	Organisation  string                   `bson:"organisation"`
	LessonStart   time.Time                `bson:"lesson_start"`
	LessonMinutes int                      `bson:"lesson_minutes"`
	Marks         []registerdoc.Mark       `bson:"marks"`
	RecordedBy    string                   `bson:"recorded_by"`
	RecordedAt    time.Time                `bson:"recorded_at"`
	Corrections   []registerdoc.Correction `bson:"corrections"`
	Revision      int64                    `bson:"revision"`
}

type registerDoc struct {
	LessonID       string `bson:"_id"`
	RegisterFields `bson:",inline"`
	outbox.Pending `bson:",inline"`
}

func toRegisterFields(r *domain.Register) RegisterFields {
	return RegisterFields{
		EditionID: r.EditionID, CourseID: r.CourseID, ModuleID: r.ModuleID, ModuleKind: string(r.ModuleKind),
		Organisation: r.Organisation, LessonStart: r.LessonStart, LessonMinutes: r.LessonMinutes,
		RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt, Revision: int64(r.Revision),
		Marks: registerdoc.FromMarks(r.Marks), Corrections: registerdoc.FromCorrections(r.Corrections),
	}
}

func (d *registerDoc) domain() *domain.Register {
	return &domain.Register{
		LessonID: d.LessonID, EditionID: d.EditionID, CourseID: d.CourseID, ModuleID: d.ModuleID,
		ModuleKind: domain.ModuleKind(d.ModuleKind), Organisation: d.Organisation, LessonStart: d.LessonStart.UTC(),
		LessonMinutes: d.LessonMinutes, RecordedBy: d.RecordedBy, RecordedAt: d.RecordedAt.UTC(),
		Revision: int(max(d.Revision, 1)), Marks: registerdoc.Marks(d.Marks), Corrections: registerdoc.Corrections(d.Corrections),
	}
}

func (s *Registers) Create(ctx context.Context, r *domain.Register) error {
	msgs, err := s.events(ctx, r)
	if err != nil {
		return err
	}
	d := registerDoc{LessonID: r.LessonID, RegisterFields: toRegisterFields(r), Pending: outbox.NewPending(msgs)}
	if _, err := s.c.InsertOne(ctx, d); err != nil {
		return fmt.Errorf("create register %s: %w", r.LessonID, mongostore.Translate(err))
	}
	s.onPending(registersColl, r.LessonID)
	return nil
}

func (s *Registers) Update(ctx context.Context, lessonID string, change func(*domain.Register) error) (*domain.Register, error) {
	for range mongostore.Attempts(ctx) {
		d, err := get[registerDoc](ctx, s.c, lessonID, "register")
		if err != nil {
			return nil, err
		}
		r := d.domain()
		if err := change(r); err != nil {
			return nil, err
		}
		msgs, err := s.events(ctx, r)
		if err != nil {
			return nil, err
		}
		set, err := fields(toRegisterFields(r))
		if err != nil {
			return nil, fmt.Errorf("update register %s: %w", lessonID, err)
		}
		update := outbox.Append(bson.D{{Key: "$set", Value: set}}, msgs)
		// A register recorded before revisions were kept has none: it is at
		// its first write.
		current := bson.D{{Key: "_id", Value: lessonID}, {Key: "revision", Value: d.Revision}}
		if d.Revision == 0 {
			current[1].Value = bson.D{{Key: "$exists", Value: false}}
		}
		res, err := s.c.UpdateOne(ctx, current, update)
		if err != nil {
			return nil, fmt.Errorf("update register %s: %w", lessonID, mongostore.Translate(err))
		}
		if res.MatchedCount == 1 {
			s.onPending(registersColl, lessonID)
			return r, nil
		}
	}
	return nil, errcode.New(errcode.Unavailable, "", "register %s kept changing; retry", lessonID)
}

func (s *Registers) Get(ctx context.Context, lessonID string) (*domain.Register, error) {
	d, err := get[registerDoc](ctx, s.c, lessonID, "register")
	if err != nil {
		return nil, err
	}
	return d.domain(), nil
}

func (s *Registers) OfEdition(ctx context.Context, editionID string) ([]*domain.Register, error) {
	sort := bson.D{{Key: "lesson_start", Value: 1}, {Key: "_id", Value: 1}}
	ds, err := find[registerDoc](ctx, s.c, bson.D{{Key: "edition_id", Value: editionID}}, sort, "registers")
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Register, len(ds))
	for i := range ds {
		out[i] = ds[i].domain()
	}
	return out, nil
}
