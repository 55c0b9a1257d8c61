package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Classes is the class collection: a class, its roster with figures and
// waiting list, and the events of their changes are one document.
type Classes struct {
	*versioned.Collection[domain.Class, ClassFields]
}

// NewClasses returns the class store of db; notify is told of writes that
// left events (the relay's Notify).
func NewClasses(db *mongo.Database, notify outbox.Notifier) *Classes {
	return &Classes{versioned.New(db.Collection(classesColl), versioned.Config[domain.Class, ClassFields]{
		What: "class", Fields: toClassFields, Value: toClass, VersionField: "v", Notify: notify,
	})}
}

// ClassFields are a class document's fields but its _id, version and
// outbox.
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

func toClass(id string, version int64, d *ClassFields) *domain.Class {
	c := &domain.Class{
		ID: id, Version: version, CourseID: d.CourseID, CourseKind: domain.CourseKind(d.CourseKind), Title: d.Title,
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

func toClassFields(c *domain.Class) ClassFields {
	d := ClassFields{
		CourseID: c.CourseID, CourseKind: string(c.CourseKind), Title: c.Title, Organisation: c.Organisation, Site: c.Site,
		Teachers: c.Teachers, StartDate: c.StartDate, EndDate: c.EndDate, Capacity: c.Capacity, PlannedMinutes: c.PlannedMinutes,
		TargetLevel: string(c.TargetLevel), TargetDigComp: c.TargetDigComp,
		Schedule: []slotDoc{}, Roster: []enrolmentDoc{}, WaitingList: []waitingDoc{}, Counted: append([]string{}, c.Counted...), LatestCounted: c.LatestCounted,
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

func (s *Classes) Teaching(ctx context.Context, organisation, subject string) ([]*domain.Class, error) {
	filter := bson.D{{Key: "organisation", Value: organisation}}
	if subject != "" {
		filter = bson.D{{Key: "teachers", Value: subject}}
	}
	return s.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
}

// Counted reads only each class's counted lessons: at start, over every
// class.
func (s *Classes) Counted(ctx context.Context) (map[string][]string, error) {
	type countedDoc struct {
		ID      string   `bson:"_id"`
		Counted []string `bson:"counted"`
	}
	ds, err := project[countedDoc](ctx, s.Mongo(), "counted")
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(ds))
	for _, d := range ds {
		out[d.ID] = d.Counted
	}
	return out, nil
}
