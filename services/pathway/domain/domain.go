// Package domain holds the pathway service's entities: the people followed
// (by pseudonym) and the timeline of what happened along their pathway.
package domain

import (
	"context"
	"time"
)

// Person is someone taken in charge, known by a random pseudonym. The
// display name is the one their organisation chose, never the legal name.
type Person struct {
	Pseudonym    string
	Organisation string // the organisation in charge
	DisplayName  string
	CaseWorker   string // user subject
	Since        time.Time
}

// Entry is one fact on a person's timeline, from any service.
type Entry struct {
	EventID      string // unique: an entry is stored once whatever the deliveries
	Person       string
	Type         string // full event type, e.g. percorsi.courses.v1.AttendanceRecorded
	Producer     string
	Organisation string
	OccurredAt   time.Time
	RecordedAt   time.Time
	Attendance   *Attendance // set for attendance facts
}

// Attendance is a person's mark in one lesson.
type Attendance struct {
	CourseKind    string // italian_l2, digital
	ClassID       string
	LessonID      string
	Status        string // present, absent, late, excused
	Minutes       int
	LessonMinutes int
}

// Persons stores people.
type Persons interface {
	// Get returns NotFound for an unknown pseudonym.
	Get(ctx context.Context, pseudonym string) (*Person, error)
	Put(ctx context.Context, p *Person) error
}

// Timeline stores entries.
type Timeline interface {
	// Add stores each entry once: adding an entry with a known EventID
	// changes nothing and is not an error.
	Add(ctx context.Context, entries ...*Entry) error
	// List returns a person's entries by OccurredAt, then RecordedAt.
	List(ctx context.Context, person string) ([]Entry, error)
}
