package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/services/training/domain"
)

// RegisterEventsFunc derives a new register's events; the service provides it.
type RegisterEventsFunc func(ctx context.Context, r *domain.Register) ([]outbox.Message, error)

// Registers implements domain.Registers: a register and its events are
// inserted as one document.
type Registers struct {
	c         *mongo.Collection
	events    RegisterEventsFunc
	onPending func()
}

// NewRegisters returns the register store of db.
func NewRegisters(db *mongo.Database, events RegisterEventsFunc, onPending func()) *Registers {
	return &Registers{c: db.Collection(registersColl), events: events, onPending: onPending}
}

type registerDoc struct {
	LessonID       string    `bson:"_id"`
	EditionID      string    `bson:"edition_id"`
	CourseID       string    `bson:"course_id"`
	ModuleID       string    `bson:"module_id"`
	ModuleKind     string    `bson:"module_kind"`
	Organisation   string    `bson:"organisation"`
	LessonStart    time.Time `bson:"lesson_start"`
	LessonMinutes  int       `bson:"lesson_minutes"`
	Marks          []markDoc `bson:"marks"`
	RecordedBy     string    `bson:"recorded_by"`
	RecordedAt     time.Time `bson:"recorded_at"`
	outbox.Pending `bson:",inline"`
}

type markDoc struct {
	Person  string `bson:"person"`
	Status  string `bson:"status"`
	Minutes int    `bson:"minutes"`
}

func (d *registerDoc) domain() *domain.Register {
	r := &domain.Register{
		LessonID: d.LessonID, EditionID: d.EditionID, CourseID: d.CourseID, ModuleID: d.ModuleID,
		ModuleKind: domain.ModuleKind(d.ModuleKind), Organisation: d.Organisation, LessonStart: d.LessonStart.UTC(),
		LessonMinutes: d.LessonMinutes, RecordedBy: d.RecordedBy, RecordedAt: d.RecordedAt.UTC(),
		Marks: make([]register.Mark, len(d.Marks)),
	}
	for i, m := range d.Marks {
		r.Marks[i] = register.Mark{Person: m.Person, Status: register.Status(m.Status), Minutes: m.Minutes}
	}
	return r
}

func (s *Registers) Create(ctx context.Context, r *domain.Register) error {
	msgs, err := s.events(ctx, r)
	if err != nil {
		return err
	}
	d := registerDoc{
		LessonID: r.LessonID, EditionID: r.EditionID, CourseID: r.CourseID, ModuleID: r.ModuleID, ModuleKind: string(r.ModuleKind),
		Organisation: r.Organisation, LessonStart: r.LessonStart, LessonMinutes: r.LessonMinutes,
		RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt, Marks: make([]markDoc, len(r.Marks)), Pending: outbox.NewPending(msgs),
	}
	for i, m := range r.Marks {
		d.Marks[i] = markDoc{Person: m.Person, Status: string(m.Status), Minutes: m.Minutes}
	}
	if _, err := s.c.InsertOne(ctx, d); err != nil {
		return fmt.Errorf("create register %s: %w", r.LessonID, mongostore.Translate(err))
	}
	s.onPending()
	return nil
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
