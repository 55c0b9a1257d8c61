// Package domain holds the courses service's entities and rules: the
// catalogue of Italian L2 and computer courses, their classes with schedules,
// enrolments and waiting lists, lessons, the registers teachers keep,
// assessments and certificates. It depends on nothing but the standard
// library and the shared register model.
package domain

import (
	"slices"
	"strings"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// CourseKind is what a course teaches.
type CourseKind string

const (
	ItalianL2 CourseKind = "italian_l2" // Italian as a second language (CEFR)
	Digital   CourseKind = "digital"    // computer and digital skills (DigComp 2.2)
)

// Level is a CEFR level of Italian, from pre-A1 literacy up.
type Level string

// CEFR levels in order.
var Levels = []Level{"pre_a1", "a1", "a2", "b1", "b2", "c1", "c2"}

// Rank orders levels: 0 for an unknown one, 1 for pre-A1 and so on.
func (l Level) Rank() int { return slices.Index(Levels, l) + 1 }

// DigCompAreas are the five competence areas of DigComp 2.2.
var DigCompAreas = []string{"information_data_literacy", "communication_collaboration", "digital_content_creation", "safety", "problem_solving"}

// Skills are the CEFR skills a CPIA assesses separately where it can.
var Skills = []string{"listening", "reading", "speaking", "writing"}

// Course is an entry of the catalogue: what a provider teaches, in how many
// hours, toward which level.
type Course struct {
	ID           string
	Kind         CourseKind
	Title        string
	Organisation string // the provider: a CPIA or another school
	TotalHours   int
	// TargetLevel for Italian L2, TargetDigComp (1-8) for digital courses.
	TargetLevel   Level
	TargetDigComp int
}

// Check validates a course, naming the faulty field.
func (c *Course) Check() error {
	switch {
	case c.ID == "":
		return errcode.New(errcode.Invalid, "id", "is required")
	case strings.TrimSpace(c.Title) == "":
		return errcode.New(errcode.Invalid, "title", "is required")
	case c.TotalHours <= 0 || c.TotalHours > 2000:
		return errcode.New(errcode.Invalid, "total_hours", "must be between 1 and 2000")
	}
	switch c.Kind {
	case ItalianL2:
		if c.TargetLevel.Rank() == 0 {
			return errcode.New(errcode.Invalid, "target_level", "must be one of pre_a1, a1, a2, b1, b2, c1, c2")
		}
		if c.TargetDigComp != 0 {
			return errcode.New(errcode.Invalid, "target_digcomp", "is for digital courses only")
		}
	case Digital:
		if c.TargetDigComp < 1 || c.TargetDigComp > 8 {
			return errcode.New(errcode.Invalid, "target_digcomp", "must be a DigComp proficiency level from 1 to 8")
		}
		if c.TargetLevel != "" {
			return errcode.New(errcode.Invalid, "target_level", "is for Italian courses only")
		}
	default:
		return errcode.New(errcode.Invalid, "kind", "must be italian_l2 or digital")
	}
	return nil
}

// Config holds the rules a CPIA may tune.
type Config struct {
	// LockAfter is how long after a lesson's start its register can still
	// be corrected by its teacher; the coordinator always can.
	LockAfter time.Duration
	// AdmissionShareBP is the share of a class's planned hours a person must
	// attend to be admitted to the final assessment, in basis points.
	AdmissionShareBP int
	// AbsenceStreak is the run of unexcused absences that raises an alert.
	AbsenceStreak int
	// Location is where schedules' wall-clock times are read.
	Location *time.Location
}

// DefaultConfig is 7 days to lock, 70% for admission, 3 absences in a row,
// Rome's clock.
func DefaultConfig() Config {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		loc = time.UTC // no time zone database: the caller should embed time/tzdata
	}
	return Config{LockAfter: 7 * 24 * time.Hour, AdmissionShareBP: 7000, AbsenceStreak: 3, Location: loc}
}
