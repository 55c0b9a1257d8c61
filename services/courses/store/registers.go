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
	"github.com/percorsi/percorsi/pkg/register/registerdoc"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// EventsFunc derives a register's events (of its recording, or of its
// latest corrections); the service provides it.
type EventsFunc func(ctx context.Context, r *domain.Register) ([]outbox.Message, error)

// Registers implements domain.Registers: a register, its corrections and
// their events are one document.
type Registers struct {
	v         versioned
	events    EventsFunc
	onPending outbox.Notifier
}

// NewRegisters returns the register store of db. onPending is called after
// a write that left events to publish (the relay's Notify).
func NewRegisters(db *mongo.Database, events EventsFunc, onPending outbox.Notifier) *Registers {
	return &Registers{v: versioned{c: db.Collection(registersColl)}, events: events, onPending: onPending}
}

// RegisterFields are a register document's fields but its _id and outbox;
// exported only because the bson codec inlines exported embedded structs alone.
type RegisterFields struct {
	ClassID       string                   `bson:"class_id"`
	CourseID      string                   `bson:"course_id"`
	CourseKind    string                   `bson:"course_kind"`
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
		ClassID: r.ClassID, CourseID: r.CourseID, CourseKind: string(r.CourseKind), Organisation: r.Organisation,
		LessonStart: r.LessonStart, LessonMinutes: r.LessonMinutes, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt,
		Marks: registerdoc.FromMarks(r.Marks), Corrections: registerdoc.FromCorrections(r.Corrections), Revision: int64(r.Revision),
	}
}

func (d *registerDoc) domain() *domain.Register {
	return &domain.Register{
		LessonID: d.LessonID, ClassID: d.ClassID, CourseID: d.CourseID, CourseKind: domain.CourseKind(d.CourseKind),
		Organisation: d.Organisation, LessonStart: d.LessonStart.UTC(), LessonMinutes: d.LessonMinutes,
		RecordedBy: d.RecordedBy, RecordedAt: d.RecordedAt.UTC(), Revision: int(max(d.Revision, 1)),
		Marks: registerdoc.Marks(d.Marks), Corrections: registerdoc.Corrections(d.Corrections),
	}
}

func (s *Registers) Create(ctx context.Context, r *domain.Register) error {
	msgs, err := s.events(ctx, r)
	if err != nil {
		return err
	}
	d := registerDoc{LessonID: r.LessonID, RegisterFields: toRegisterFields(r), Pending: outbox.NewPending(msgs)}
	if _, err := s.v.c.InsertOne(ctx, d); err != nil {
		return fmt.Errorf("create register %s: %w", r.LessonID, mongostore.Translate(err))
	}
	s.onPending(registersColl, r.LessonID)
	return nil
}

func (s *Registers) Get(ctx context.Context, lessonID string) (*domain.Register, error) {
	d, err := get[registerDoc](ctx, s.v.c, lessonID, "register")
	if err != nil {
		return nil, err
	}
	return d.domain(), nil
}

func (s *Registers) Update(ctx context.Context, lessonID string, change func(*domain.Register) error) (*domain.Register, error) {
	for range mongostore.Attempts(ctx) {
		d, err := get[registerDoc](ctx, s.v.c, lessonID, "register")
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
		ok, err := s.v.write(ctx, lessonID, d.Revision, "revision", toRegisterFields(r), msgs)
		if err != nil {
			return nil, fmt.Errorf("update register %s: %w", lessonID, err)
		}
		if ok {
			s.onPending(registersColl, lessonID)
			return r, nil
		}
	}
	return nil, errBusy("register", lessonID)
}

func (s *Registers) OfClass(ctx context.Context, classID string) ([]*domain.Register, error) {
	ds, err := find[registerDoc](ctx, s.v.c, bson.D{{Key: "class_id", Value: classID}}, nil, "registers")
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Register, len(ds))
	for i := range ds {
		out[i] = ds[i].domain()
	}
	return out, nil
}

// Recorded reads only each register's lesson and class: at start, over
// every register.
func (s *Registers) Recorded(ctx context.Context) (map[string][]string, error) {
	type recordedDoc struct {
		LessonID string `bson:"_id"`
		ClassID  string `bson:"class_id"`
	}
	ds, err := find[recordedDoc](ctx, s.v.c, bson.D{}, options.Find().SetProjection(bson.D{{Key: "class_id", Value: 1}}), "recorded lessons")
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, d := range ds {
		out[d.ClassID] = append(out[d.ClassID], d.LessonID)
	}
	return out, nil
}
