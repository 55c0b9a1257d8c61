package domain

import (
	"fmt"
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// AssessmentKind is when in a course an assessment is made.
type AssessmentKind string

const (
	Placement AssessmentKind = "placement" // on entry
	Progress  AssessmentKind = "progress"
	Final     AssessmentKind = "final"
)

// Assessment is a person's level at one point of a class: CEFR overall and
// per skill for Italian, DigComp proficiency per area for digital courses.
type Assessment struct {
	ID           string
	ClassID      string
	CourseID     string
	CourseKind   CourseKind
	Organisation string // the CPIA
	Person       string
	Kind         AssessmentKind
	Overall      Level            // Italian
	BySkill      map[string]Level // Italian, where assessed
	ByArea       map[string]int   // digital: DigComp area -> proficiency 1-8
	By           string
	At           time.Time
	Attended     int // minutes attended in the class when assessed
}

// Check validates a for a class of kind, naming the faulty field.
func (a *Assessment) Check(kind CourseKind) error {
	if !slices.Contains([]AssessmentKind{Placement, Progress, Final}, a.Kind) {
		return errcode.New(errcode.Invalid, "kind", "must be placement, progress or final")
	}
	switch kind {
	case ItalianL2:
		if a.Overall.Rank() == 0 {
			return errcode.New(errcode.Invalid, "cefr_overall", "must be one of pre_a1, a1, a2, b1, b2, c1, c2")
		}
		for s, l := range a.BySkill {
			if !slices.Contains(Skills, s) {
				return errcode.New(errcode.Invalid, "cefr_by_skill."+s, "is not a skill: listening, reading, speaking or writing")
			}
			if l.Rank() == 0 {
				return errcode.New(errcode.Invalid, "cefr_by_skill."+s, "must be a CEFR level")
			}
		}
		if len(a.ByArea) > 0 {
			return errcode.New(errcode.Invalid, "digcomp_by_area", "is for digital courses only")
		}
	case Digital:
		if len(a.ByArea) == 0 {
			return errcode.New(errcode.Invalid, "digcomp_by_area", "must assess at least one DigComp area")
		}
		for area, l := range a.ByArea {
			if !slices.Contains(DigCompAreas, area) {
				return errcode.New(errcode.Invalid, "digcomp_by_area."+area, "is not a DigComp 2.2 area")
			}
			if l < 1 || l > 8 {
				return errcode.New(errcode.Invalid, "digcomp_by_area."+area, "must be a proficiency level from 1 to 8")
			}
		}
		if a.Overall != "" || len(a.BySkill) > 0 {
			return errcode.New(errcode.Invalid, "cefr_overall", "is for Italian courses only")
		}
	}
	return nil
}

// Reaches reports whether a meets the class's target: the CEFR level, or
// the DigComp level in every area assessed.
func (a *Assessment) Reaches(c *Class) bool {
	if c.CourseKind == Digital {
		for _, l := range a.ByArea {
			if l < c.TargetDigComp {
				return false
			}
		}
		return len(a.ByArea) > 0
	}
	return a.Overall.Rank() >= c.TargetLevel.Rank() && a.Overall.Rank() > 0
}

// Certificate attests the level a person reached in a class; one per person
// and class.
type Certificate struct {
	ID         string
	ClassID    string
	Person     string
	Assessment Assessment // the final assessment it rests on
	By         string
	At         time.Time
	Class      *Class // the class as certified, for the events; not stored
}

// CertificateID is the one certificate's id of person in class.
func CertificateID(classID, person string) string { return fmt.Sprintf("%s~%s", classID, person) }

// NewCertificate certifies person in class on their final assessment, if
// they were admitted to it (attendance share) and it meets the target.
// Errors: Invalid, NotFound.
func NewCertificate(c *Class, person string, final *Assessment, shareBP int, by string, now time.Time) (*Certificate, error) {
	e := c.Find(person)
	switch {
	case e == nil || (e.Status != Enrolled && e.Status != Completed):
		return nil, errcode.New(errcode.NotFound, "person", "is not enrolled in this class")
	case final == nil:
		return nil, errcode.New(errcode.Invalid, "person", "has no final assessment")
	case !c.Admitted(e, shareBP):
		return nil, errcode.New(errcode.Invalid, "person", "attended %d of the %d minutes needed for admission to the final assessment",
			e.Figures.MinutesAttended, (c.PlannedMinutes*shareBP+9999)/10000)
	case !final.Reaches(c):
		return nil, errcode.New(errcode.Invalid, "person", "the final assessment does not reach the class's target level")
	}
	return &Certificate{ID: CertificateID(c.ID, person), ClassID: c.ID, Person: person, Assessment: *final, By: by, At: now, Class: c}, nil
}
