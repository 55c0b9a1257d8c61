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

// ClassEventsFunc derives the events of a class's facts; the service
// provides it.
type ClassEventsFunc func(ctx context.Context, c *domain.Class, facts []domain.Fact) ([]outbox.Message, error)

// Classes implements domain.Classes: a class, its roster with figures and
// waiting list, and the events of their changes are one document.
type Classes struct {
	v         versioned
	events    ClassEventsFunc
	onPending outbox.Notifier
}

// NewClasses returns the class store of db. onPending is called after a
// write that left events to publish (the relay's Notify).
func NewClasses(db *mongo.Database, events ClassEventsFunc, onPending outbox.Notifier) *Classes {
	return &Classes{v: versioned{c: db.Collection(classesColl)}, events: events, onPending: onPending}
}

// ClassFields are a class document's fields but its _id and outbox;
// exported only because the
// bson codec inlines exported embedded structs alone.
type ClassFields struct {
	CourseID       string         `bson:"course_id"`
	CourseKind     string         `bson:"course_kind"`
	Title          string         `bson:"title"`
	Organisation   string         `bson:"organisation"`
	Site           string         `bson:"site"`
	Teachers       []string       `bson:"teachers"`
	Schedule       []slotDoc      `bson:"schedule"`
	StartDate      time.Time      `bson:"start_date"`
	EndDate        time.Time      `bson:"end_date"`
	Capacity       int            `bson:"capacity"`
	PlannedMinutes int            `bson:"planned_minutes"`
	TargetLevel    string         `bson:"target_level,omitempty"`
	TargetDigComp  int            `bson:"target_digcomp,omitempty"`
	Roster         []enrolmentDoc `bson:"roster"`
	WaitingList    []waitingDoc   `bson:"waiting"`
	Counted        []string       `bson:"counted"`
	LatestCounted  time.Time      `bson:"latest_counted"`
	Version        int64          `bson:"v"`
}

type classDoc struct {
	ID             string `bson:"_id"`
	ClassFields    `bson:",inline"`
	outbox.Pending `bson:",inline"`
}

type slotDoc struct {
	Weekday int    `bson:"weekday"`
	Start   string `bson:"start"`
	Minutes int    `bson:"minutes"`
}

type enrolmentDoc struct {
	Person          string     `bson:"person"`
	DisplayName     string     `bson:"display_name"`
	Status          string     `bson:"status"`
	Since           time.Time  `bson:"since"`
	Reason          string     `bson:"reason,omitempty"`
	Note            string     `bson:"note,omitempty"`
	TransferredFrom string     `bson:"transferred_from,omitempty"`
	TransferredTo   string     `bson:"transferred_to,omitempty"`
	Carried         figuresDoc `bson:"carried"`
	Figures         figuresDoc `bson:"figures"`
}

type figuresDoc struct {
	MinutesAttended     int `bson:"attended"`
	MinutesHeld         int `bson:"held"`
	LessonsHeld         int `bson:"lessons_held"`
	LessonsAttended     int `bson:"lessons_attended"`
	ConsecutiveAbsences int `bson:"absences_in_a_row"`
}

type waitingDoc struct {
	Person      string    `bson:"person"`
	DisplayName string    `bson:"display_name"`
	Since       time.Time `bson:"since"`
}

func toFigures(f figuresDoc) register.Figures   { return register.Figures(f) }
func fromFigures(f register.Figures) figuresDoc { return figuresDoc(f) }

func (d *classDoc) domain() *domain.Class {
	c := &domain.Class{
		ID: d.ID, CourseID: d.CourseID, CourseKind: domain.CourseKind(d.CourseKind), Title: d.Title,
		Organisation: d.Organisation, Site: d.Site, Teachers: d.Teachers, StartDate: d.StartDate.UTC(), EndDate: d.EndDate.UTC(),
		Capacity: d.Capacity, PlannedMinutes: d.PlannedMinutes, TargetLevel: domain.Level(d.TargetLevel), TargetDigComp: d.TargetDigComp,
		Counted: d.Counted, LatestCounted: d.LatestCounted.UTC(),
	}
	for _, s := range d.Schedule {
		c.Schedule = append(c.Schedule, domain.Slot{Weekday: time.Weekday(s.Weekday), Start: s.Start, Minutes: s.Minutes})
	}
	for _, e := range d.Roster {
		c.Roster = append(c.Roster, domain.Enrolment{
			Person: e.Person, DisplayName: e.DisplayName, Status: domain.EnrolmentStatus(e.Status), Since: e.Since.UTC(),
			Reason: domain.WithdrawReason(e.Reason), Note: e.Note, TransferredFrom: e.TransferredFrom, TransferredTo: e.TransferredTo,
			Carried: toFigures(e.Carried), Figures: toFigures(e.Figures),
		})
	}
	for _, w := range d.WaitingList {
		c.Waiting = append(c.Waiting, domain.Waiting{Person: w.Person, DisplayName: w.DisplayName, Since: w.Since.UTC()})
	}
	return c
}

func toClassFields(c *domain.Class, version int64) ClassFields {
	d := ClassFields{
		CourseID: c.CourseID, CourseKind: string(c.CourseKind), Title: c.Title, Organisation: c.Organisation, Site: c.Site,
		Teachers: c.Teachers, StartDate: c.StartDate, EndDate: c.EndDate, Capacity: c.Capacity, PlannedMinutes: c.PlannedMinutes,
		TargetLevel: string(c.TargetLevel), TargetDigComp: c.TargetDigComp,
		Schedule: []slotDoc{}, Roster: []enrolmentDoc{}, WaitingList: []waitingDoc{}, Counted: append([]string{}, c.Counted...), LatestCounted: c.LatestCounted, Version: version,
	}
	for _, s := range c.Schedule {
		d.Schedule = append(d.Schedule, slotDoc{Weekday: int(s.Weekday), Start: s.Start, Minutes: s.Minutes})
	}
	for _, e := range c.Roster {
		d.Roster = append(d.Roster, enrolmentDoc{
			Person: e.Person, DisplayName: e.DisplayName, Status: string(e.Status), Since: e.Since, Reason: string(e.Reason), Note: e.Note,
			TransferredFrom: e.TransferredFrom, TransferredTo: e.TransferredTo, Carried: fromFigures(e.Carried), Figures: fromFigures(e.Figures),
		})
	}
	for _, w := range c.Waiting {
		d.WaitingList = append(d.WaitingList, waitingDoc{Person: w.Person, DisplayName: w.DisplayName, Since: w.Since})
	}
	return d
}

func (s *Classes) Get(ctx context.Context, id string) (*domain.Class, error) {
	d, err := get[classDoc](ctx, s.v.c, id, "class")
	if err != nil {
		return nil, err
	}
	return d.domain(), nil
}

// Put creates or replaces a class's fields; its pending events stay.
func (s *Classes) Put(ctx context.Context, c *domain.Class) error {
	return putFields(ctx, s.v.c, c.ID, toClassFields(c, time.Now().UnixNano()), "class")
}

func (s *Classes) Create(ctx context.Context, c *domain.Class) error {
	d := classDoc{ID: c.ID, ClassFields: toClassFields(c, 1), Pending: outbox.NewPending(nil)}
	if _, err := s.v.c.InsertOne(ctx, d); err != nil {
		return fmt.Errorf("create class %s: %w", c.ID, mongostore.Translate(err))
	}
	return nil
}

func (s *Classes) Update(ctx context.Context, id string, change func(*domain.Class) ([]domain.Fact, error)) (*domain.Class, error) {
	for range mongostore.Attempts(ctx) {
		d, err := get[classDoc](ctx, s.v.c, id, "class")
		if err != nil {
			return nil, err
		}
		c := d.domain()
		facts, err := change(c)
		if err != nil {
			return nil, err
		}
		msgs, err := s.events(ctx, c, facts)
		if err != nil {
			return nil, err
		}
		ok, err := s.v.write(ctx, id, d.Version, "v", toClassFields(c, d.Version+1), msgs)
		if err != nil {
			return nil, fmt.Errorf("update class %s: %w", id, err)
		}
		if ok {
			if len(msgs) > 0 {
				s.onPending(classesColl, id)
			}
			return c, nil
		}
	}
	return nil, errBusy("class", id)
}

func (s *Classes) Teaching(ctx context.Context, organisation, subject string) ([]*domain.Class, error) {
	filter := bson.D{{Key: "organisation", Value: organisation}}
	if subject != "" {
		filter = bson.D{{Key: "teachers", Value: subject}}
	}
	ds, err := find[classDoc](ctx, s.v.c, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), "classes")
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Class, len(ds))
	for i := range ds {
		out[i] = ds[i].domain()
	}
	return out, nil
}

// Counted reads only each class's counted lessons: at start, over every
// class.
func (s *Classes) Counted(ctx context.Context) (map[string][]string, error) {
	type countedDoc struct {
		ID      string   `bson:"_id"`
		Counted []string `bson:"counted"`
	}
	ds, err := find[countedDoc](ctx, s.v.c, bson.D{}, options.Find().SetProjection(bson.D{{Key: "counted", Value: 1}}), "counted lessons")
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(ds))
	for _, d := range ds {
		out[d.ID] = d.Counted
	}
	return out, nil
}
