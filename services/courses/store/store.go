// Package store is the courses service's MongoDB adapter. Its bson structs
// are its own; the domain never sees them. Every query a teacher's request
// makes is by _id.
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
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Collections.
const (
	classesColl   = "classes"
	lessonsColl   = "lessons"
	registersColl = "registers"
)

// Indexes returns what the service needs at start.
func Indexes() []mongostore.Index {
	return []mongostore.Index{
		{Collection: registersColl, Keys: outbox.IndexKeys()},
	}
}

// OutboxSources are the collections whose documents carry pending events.
func OutboxSources(db *mongo.Database) []*mongo.Collection {
	return []*mongo.Collection{db.Collection(registersColl)}
}

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

func get[D any](ctx context.Context, c *mongo.Collection, id, what string) (*D, error) {
	var d D
	if err := c.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, id, mongostore.Translate(err))
	}
	return &d, nil
}

func put(ctx context.Context, c *mongo.Collection, id string, doc any, what string) error {
	if _, err := c.ReplaceOne(ctx, byID(id), doc, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("put %s %s: %w", what, id, mongostore.Translate(err))
	}
	return nil
}

// Classes implements domain.Classes.
type Classes struct{ c *mongo.Collection }

// NewClasses returns the class store of db.
func NewClasses(db *mongo.Database) *Classes { return &Classes{db.Collection(classesColl)} }

type classDoc struct {
	ID           string         `bson:"_id"`
	CourseID     string         `bson:"course_id"`
	CourseKind   string         `bson:"course_kind"`
	Title        string         `bson:"title"`
	Organisation string         `bson:"organisation"`
	Teachers     []string       `bson:"teachers"`
	Roster       []enrolmentDoc `bson:"roster"`
}

type enrolmentDoc struct {
	Person      string `bson:"person"`
	DisplayName string `bson:"display_name"`
	Status      string `bson:"status"`
}

func (s *Classes) Get(ctx context.Context, id string) (*domain.Class, error) {
	d, err := get[classDoc](ctx, s.c, id, "class")
	if err != nil {
		return nil, err
	}
	c := &domain.Class{
		ID: d.ID, CourseID: d.CourseID, CourseKind: domain.CourseKind(d.CourseKind), Title: d.Title,
		Organisation: d.Organisation, Teachers: d.Teachers,
	}
	for _, e := range d.Roster {
		c.Roster = append(c.Roster, domain.Enrolment{Person: e.Person, DisplayName: e.DisplayName, Status: domain.EnrolmentStatus(e.Status)})
	}
	return c, nil
}

func (s *Classes) Put(ctx context.Context, c *domain.Class) error {
	d := classDoc{
		ID: c.ID, CourseID: c.CourseID, CourseKind: string(c.CourseKind), Title: c.Title,
		Organisation: c.Organisation, Teachers: c.Teachers, Roster: []enrolmentDoc{},
	}
	for _, e := range c.Roster {
		d.Roster = append(d.Roster, enrolmentDoc{Person: e.Person, DisplayName: e.DisplayName, Status: string(e.Status)})
	}
	return put(ctx, s.c, c.ID, d, "class")
}

// Lessons implements domain.Lessons.
type Lessons struct{ c *mongo.Collection }

// NewLessons returns the lesson store of db.
func NewLessons(db *mongo.Database) *Lessons { return &Lessons{db.Collection(lessonsColl)} }

type lessonDoc struct {
	ID      string    `bson:"_id"`
	ClassID string    `bson:"class_id"`
	Start   time.Time `bson:"start"`
	Minutes int       `bson:"minutes"`
	Status  string    `bson:"status"`
}

func (s *Lessons) Get(ctx context.Context, id string) (*domain.Lesson, error) {
	d, err := get[lessonDoc](ctx, s.c, id, "lesson")
	if err != nil {
		return nil, err
	}
	return &domain.Lesson{ID: d.ID, ClassID: d.ClassID, Start: d.Start, Minutes: d.Minutes, Status: domain.LessonStatus(d.Status)}, nil
}

func (s *Lessons) Put(ctx context.Context, l *domain.Lesson) error {
	return put(ctx, s.c, l.ID, lessonDoc{ID: l.ID, ClassID: l.ClassID, Start: l.Start, Minutes: l.Minutes, Status: string(l.Status)}, "lesson")
}

// EventsFunc derives a register's events; the service provides it.
type EventsFunc func(ctx context.Context, r *domain.Register) ([]outbox.Message, error)

// Registers implements domain.Registers: a register and its events are one
// document, written once.
type Registers struct {
	c         *mongo.Collection
	events    EventsFunc
	onPending func()
}

// NewRegisters returns the register store of db. onPending is called after
// a write that left events to publish (the relay's Notify).
func NewRegisters(db *mongo.Database, events EventsFunc, onPending func()) *Registers {
	return &Registers{c: db.Collection(registersColl), events: events, onPending: onPending}
}

type registerDoc struct {
	LessonID       string    `bson:"_id"`
	ClassID        string    `bson:"class_id"`
	CourseID       string    `bson:"course_id"`
	CourseKind     string    `bson:"course_kind"`
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

func (s *Registers) Create(ctx context.Context, r *domain.Register) error {
	msgs, err := s.events(ctx, r)
	if err != nil {
		return err
	}
	d := registerDoc{
		LessonID: r.LessonID, ClassID: r.ClassID, CourseID: r.CourseID, CourseKind: string(r.CourseKind),
		Organisation: r.Organisation, LessonStart: r.LessonStart, LessonMinutes: r.LessonMinutes,
		RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt, Pending: outbox.NewPending(msgs),
	}
	for _, m := range r.Marks {
		d.Marks = append(d.Marks, markDoc{Person: m.Person, Status: string(m.Status), Minutes: m.Minutes})
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
	r := &domain.Register{
		LessonID: d.LessonID, ClassID: d.ClassID, CourseID: d.CourseID, CourseKind: domain.CourseKind(d.CourseKind),
		Organisation: d.Organisation, LessonStart: d.LessonStart.UTC(), LessonMinutes: d.LessonMinutes,
		RecordedBy: d.RecordedBy, RecordedAt: d.RecordedAt.UTC(),
	}
	for _, m := range d.Marks {
		r.Marks = append(r.Marks, register.Mark{Person: m.Person, Status: register.Status(m.Status), Minutes: m.Minutes})
	}
	return r, nil
}
