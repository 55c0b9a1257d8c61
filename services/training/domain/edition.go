package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// Edition is one run of a course: its trainers, dates, roster and the
// modules already closed. Its roster is bounded (a class of trainees), so
// the whole lifecycle of its enrolments lives in one document.
type Edition struct {
	ID            string
	CourseID      string
	Organisation  string // the provider running it
	Trainers      []string
	Start, End    time.Time
	Roster        []Enrolment
	ClosedModules []string
	Version       int64 // bumped on every write
}

// MaxRoster bounds an edition's roster.
const MaxRoster = 60

// EnrolmentStatus is where a person is in an edition.
type EnrolmentStatus string

const (
	Enrolled  EnrolmentStatus = "enrolled"
	Suspended EnrolmentStatus = "suspended"
	Withdrawn EnrolmentStatus = "withdrawn"
	Completed EnrolmentStatus = "completed" // sat the final exam
)

// WithdrawReason is why someone left; the free text stays in Note.
type WithdrawReason string

// WithdrawReasons are the reasons accepted.
var WithdrawReasons = []WithdrawReason{"work", "moved", "health", "family", "no_show", "other"}

// Enrolment is one person in an edition, known by pseudonym and display name.
type Enrolment struct {
	Person      string
	DisplayName string
	Status      EnrolmentStatus
	EnrolledAt  time.Time
	Reason      WithdrawReason
	Note        string // why suspended or withdrawn; may hold personal data
	Modules     []ModuleResult
	Internship  *Placement
	Exam        *ExamResult
	// CertifiedUnits are the units of competence certified: all of them
	// with the qualification, some of them on a partial certification.
	CertifiedUnits []string
	Qualified      bool
}

// ModuleResult is a closed module's figures for one person.
type ModuleResult struct {
	ModuleID        string
	MinutesPlanned  int
	MinutesAttended int
	Reached         bool
}

// Placement is a person's internship at a host company. The tutor is the
// host's employee who follows them; neither leaves the service.
type Placement struct {
	ModuleID       string
	HostID         string
	HostName       string
	Tutor          string
	PlannedMinutes int
	Days           []Day
	Evaluation     *Evaluation
}

// Day is the internship minutes done on one day.
type Day struct {
	On      time.Time // midnight UTC
	Minutes int
}

// Evaluation is the host tutor's assessment at the end of the internship.
type Evaluation struct {
	Rating int // 1 (insufficient) to 5 (excellent)
	Note   string
	By     string
	At     time.Time
}

// ExamOutcome is how a person's final exam went.
type ExamOutcome string

const (
	Passed       ExamOutcome = "passed"
	Failed       ExamOutcome = "failed"
	AbsentAtExam ExamOutcome = "absent"
)

// ExamResult is a person's final exam.
type ExamResult struct {
	HeldOn      time.Time
	Outcome     ExamOutcome
	Score       int
	UnitsPassed []string
}

// Done is the minutes of internship done so far.
func (p *Placement) Done() int {
	total := 0
	for _, d := range p.Days {
		total += d.Minutes
	}
	return total
}

// NewEdition checks an edition of course and its trainers and dates.
func NewEdition(id string, course *Course, trainers []string, start, end time.Time) (*Edition, error) {
	switch {
	case strings.TrimSpace(id) == "":
		return nil, errcode.New(errcode.Invalid, "id", "is required")
	case len(trainers) == 0:
		return nil, errcode.New(errcode.Invalid, "trainers", "must name at least one trainer")
	case start.IsZero():
		return nil, errcode.New(errcode.Invalid, "start", "is required")
	case !end.After(start):
		return nil, errcode.New(errcode.Invalid, "end", "must be after start")
	}
	for i, t := range trainers {
		if strings.TrimSpace(t) == "" || slices.Contains(trainers[:i], t) {
			return nil, errcode.New(errcode.Invalid, fmt.Sprintf("trainers[%d]", i), "must be a distinct user id")
		}
	}
	return &Edition{ID: id, CourseID: course.ID, Organisation: course.Provider, Trainers: trainers, Start: start.UTC(), End: end.UTC(), Roster: []Enrolment{}}, nil
}

// TaughtBy reports whether user is one of the edition's trainers.
func (e *Edition) TaughtBy(user string) bool { return slices.Contains(e.Trainers, user) }

// Find returns the enrolment of person, or nil.
func (e *Edition) Find(person string) *Enrolment {
	for i := range e.Roster {
		if e.Roster[i].Person == person {
			return &e.Roster[i]
		}
	}
	return nil
}

// Expected returns who a register must list: the people attending now.
func (e *Edition) Expected() []string {
	var out []string
	for _, en := range e.Roster {
		if en.Status == Enrolled {
			out = append(out, en.Person)
		}
	}
	return out
}

// enrolment returns person's enrolment or a NotFound naming field.
func (e *Edition) enrolment(person, field string) (*Enrolment, error) {
	en := e.Find(person)
	if en == nil {
		return nil, errcode.New(errcode.NotFound, field, "is not enrolled in edition %s", e.ID)
	}
	return en, nil
}

// Enrol adds person to the roster.
func (e *Edition) Enrol(person, displayName string, now time.Time) (Fact, error) {
	switch {
	case strings.TrimSpace(person) == "":
		return nil, errcode.New(errcode.Invalid, "person", "is required")
	case strings.TrimSpace(displayName) == "":
		return nil, errcode.New(errcode.Invalid, "display_name", "is required")
	case len(displayName) > 80:
		return nil, errcode.New(errcode.Invalid, "display_name", "must be at most 80 characters")
	case !now.Before(e.End):
		return nil, errcode.New(errcode.Invalid, "edition_id", "the edition has ended")
	case e.Find(person) != nil:
		return nil, errcode.New(errcode.Conflict, "person", "is already on the roster of edition %s", e.ID)
	case len(e.Roster) >= MaxRoster:
		return nil, errcode.New(errcode.Conflict, "edition_id", "the roster is full (%d people)", MaxRoster)
	}
	e.Roster = append(e.Roster, Enrolment{Person: person, DisplayName: displayName, Status: Enrolled, EnrolledAt: now.UTC()})
	return EnrolledFact{Person: person}, nil
}

// Suspend pauses an enrolment (illness, a court hearing, a move to a
// shelter): the person leaves the registers until resumed.
func (e *Edition) Suspend(person, note string) error {
	en, err := e.enrolment(person, "person")
	if err != nil {
		return err
	}
	switch {
	case en.Status != Enrolled:
		return errcode.New(errcode.Conflict, "person", "is %s, not enrolled", en.Status)
	case strings.TrimSpace(note) == "":
		return errcode.New(errcode.Invalid, "note", "is required: say why")
	}
	en.Status, en.Note = Suspended, note
	return nil
}

// Resume brings a suspended person back.
func (e *Edition) Resume(person string) error {
	en, err := e.enrolment(person, "person")
	if err != nil {
		return err
	}
	if en.Status != Suspended {
		return errcode.New(errcode.Conflict, "person", "is %s, not suspended", en.Status)
	}
	en.Status, en.Note = Enrolled, ""
	return nil
}

// Withdraw ends an enrolment before the exam. Units passed so far (by the
// trainers' judgement) are certified on the way out, so that the person
// keeps what they learnt.
func (e *Edition) Withdraw(c *Course, person string, reason WithdrawReason, note string, units []string, att Attendance) ([]Fact, error) {
	en, err := e.enrolment(person, "person")
	if err != nil {
		return nil, err
	}
	switch {
	case en.Status == Withdrawn || en.Status == Completed:
		return nil, errcode.New(errcode.Conflict, "person", "is already %s", en.Status)
	case !slices.Contains(WithdrawReasons, reason):
		return nil, errcode.New(errcode.Invalid, "reason", "must be one of work, moved, health, family, no_show, other")
	case len(units) == len(c.Units):
		return nil, errcode.New(errcode.Invalid, "units_certified", "are all the units: that is the qualification, given by the exam")
	}
	if err := checkUnits(c, units, "units_certified"); err != nil {
		return nil, err
	}
	en.Status, en.Reason, en.Note = Withdrawn, reason, note
	internship := 0
	if en.Internship != nil {
		internship = en.Internship.Done()
	}
	facts := []Fact{WithdrawnFact{Person: person, Reason: reason, MinutesAttended: att.Total(person), InternshipMinutes: internship}}
	if len(units) > 0 {
		en.CertifiedUnits = units
		facts = append(facts, CertifiedFact{Person: person, Units: units})
	}
	return facts, nil
}

func checkUnits(c *Course, units []string, field string) error {
	codes := c.UnitCodes()
	for i, u := range units {
		if !slices.Contains(codes, u) {
			return errcode.New(errcode.Invalid, fmt.Sprintf("%s[%d]", field, i), "is not a unit of course %s", c.ID)
		}
		if slices.Contains(units[:i], u) {
			return errcode.New(errcode.Invalid, fmt.Sprintf("%s[%d]", field, i), "is listed twice")
		}
	}
	return nil
}
