package domain

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
)

// Class is one edition of a course at a site: its teachers, weekly
// schedule, dates, capacity, roster and waiting list. The roster carries
// each person's attendance figures, kept up to date as registers are
// recorded, so that the roster a teacher opens is one document.
type Class struct {
	ID           string
	CourseID     string
	CourseKind   CourseKind
	Title        string
	Organisation string   // the CPIA
	Site         string   // the CPIA's site, e.g. a school building
	Teachers     []string // user subjects of the teachers
	Schedule     []Slot
	StartDate    time.Time // first day, at midnight of the schedule's location
	EndDate      time.Time // last day
	Capacity     int       // 0 means no limit
	// PlannedMinutes is the class's total planned time, the base of the
	// admission share; TargetLevel or TargetDigComp what it leads to.
	PlannedMinutes int
	TargetLevel    Level
	TargetDigComp  int
	Roster         []Enrolment
	Waiting        []Waiting
	// Counted lists the lessons whose registers the roster's figures count;
	// LatestCounted is the start of the latest of them.
	Counted       []string
	LatestCounted time.Time
	// Version is the stored class's, for a write over the class as read.
	Version int64
}

// Slot is one weekly meeting: a weekday, a wall-clock start ("09:00") and a
// length.
type Slot struct {
	Weekday time.Weekday
	Start   string
	Minutes int
}

// clock parses the slot's start as hours and minutes.
func (s Slot) clock() (h, m int, ok bool) {
	hs, ms, found := strings.Cut(s.Start, ":")
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	return h, m, found && err1 == nil && err2 == nil && h >= 0 && h < 24 && m >= 0 && m < 60 && len(ms) == 2
}

// EnrolmentStatus is where an enrolment stands.
type EnrolmentStatus string

const (
	Enrolled    EnrolmentStatus = "enrolled"
	Suspended   EnrolmentStatus = "suspended"
	Withdrawn   EnrolmentStatus = "withdrawn"
	Completed   EnrolmentStatus = "completed"
	Transferred EnrolmentStatus = "transferred" // moved to another class, taking the hours along
)

// WithdrawReason is why a person left a class.
type WithdrawReason string

// Withdrawal reasons; a free-text note can say more, inside this service only.
var WithdrawReasons = []WithdrawReason{"work", "moved", "health", "family", "no_show", "other"}

// ReasonTransferred is the reason recorded on the class a person left by transfer.
const ReasonTransferred WithdrawReason = "transferred"

// Enrolment is a person in a class, shown by the display name their
// organisation chose, never their legal name.
type Enrolment struct {
	Person      string // pseudonym
	DisplayName string
	Status      EnrolmentStatus
	Since       time.Time
	Reason      WithdrawReason // when withdrawn
	Note        string         // the coordinator's note on a withdrawal; never leaves the service
	// TransferredFrom or TransferredTo name the other class of a transfer.
	TransferredFrom string
	TransferredTo   string
	// Carried are the figures kept from the class the person came from;
	// Figures are theirs in this class, carried ones included.
	Carried register.Figures
	Figures register.Figures
}

// Waiting is a person on a class's waiting list, in order of arrival.
type Waiting struct {
	Person      string
	DisplayName string
	Since       time.Time
}

// CheckNew validates a class being created, naming the faulty field.
func (c *Class) CheckNew() error {
	switch {
	case c.ID == "":
		return errcode.New(errcode.Invalid, "id", "is required")
	case strings.TrimSpace(c.Title) == "":
		return errcode.New(errcode.Invalid, "title", "is required")
	case len(c.Teachers) == 0:
		return errcode.New(errcode.Invalid, "teachers", "must name at least one teacher")
	case c.Capacity < 0 || c.Capacity > 200:
		return errcode.New(errcode.Invalid, "capacity", "must be between 0 (no limit) and 200")
	case c.StartDate.IsZero():
		return errcode.New(errcode.Invalid, "start_date", "is required")
	case c.EndDate.Before(c.StartDate):
		return errcode.New(errcode.Invalid, "end_date", "must not be before start_date")
	case c.EndDate.Sub(c.StartDate) > 400*24*time.Hour:
		return errcode.New(errcode.Invalid, "end_date", "must be within 400 days of start_date")
	case len(c.Schedule) == 0:
		return errcode.New(errcode.Invalid, "schedule", "must have at least one weekly slot")
	}
	for i, t := range c.Teachers {
		if t == "" {
			return errcode.New(errcode.Invalid, fmt.Sprintf("teachers[%d]", i), "is empty")
		}
	}
	for i, s := range c.Schedule {
		field := func(name string) string { return fmt.Sprintf("schedule[%d].%s", i, name) }
		if _, _, ok := s.clock(); !ok {
			return errcode.New(errcode.Invalid, field("start"), "must be a time of day such as 09:00")
		}
		if s.Minutes < 15 || s.Minutes > 480 {
			return errcode.New(errcode.Invalid, field("minutes"), "must be between 15 and 480")
		}
		if s.Weekday < time.Sunday || s.Weekday > time.Saturday {
			return errcode.New(errcode.Invalid, field("weekday"), "must be a day of the week")
		}
	}
	return nil
}

// Lessons generates the class's lessons from its weekly schedule, between
// its start and end dates, at the wall-clock times of loc. Their ids are
// stable, so generating twice gives the same lessons.
func (c *Class) Lessons(loc *time.Location) []Lesson {
	var out []Lesson
	first := time.Date(c.StartDate.Year(), c.StartDate.Month(), c.StartDate.Day(), 0, 0, 0, 0, loc)
	last := time.Date(c.EndDate.Year(), c.EndDate.Month(), c.EndDate.Day(), 0, 0, 0, 0, loc)
	for day := first; !day.After(last); day = day.AddDate(0, 0, 1) {
		for _, s := range c.Schedule {
			h, m, ok := s.clock()
			if s.Weekday != day.Weekday() || !ok {
				continue
			}
			start := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
			out = append(out, Lesson{
				ID: c.ID + "-" + start.Format("20060102-1504"), ClassID: c.ID, Start: start.UTC(), Minutes: s.Minutes, Status: Scheduled,
			})
		}
	}
	return out
}

// Expected returns the pseudonyms a register must mark: those enrolled.
func (c *Class) Expected() []string {
	var ps []string
	for _, e := range c.Roster {
		if e.Status == Enrolled {
			ps = append(ps, e.Person)
		}
	}
	return ps
}

// TaughtBy reports whether the user subject teaches c.
func (c *Class) TaughtBy(subject string) bool { return slices.Contains(c.Teachers, subject) }

// Find returns the enrolment of person, or nil.
func (c *Class) Find(person string) *Enrolment {
	for i := range c.Roster {
		if c.Roster[i].Person == person {
			return &c.Roster[i]
		}
	}
	return nil
}

// active counts the places taken.
func (c *Class) active() int {
	n := 0
	for _, e := range c.Roster {
		if e.Status == Enrolled || e.Status == Suspended {
			n++
		}
	}
	return n
}

func (c *Class) full() bool { return c.Capacity > 0 && c.active() >= c.Capacity }

// Enrol gives person a place, or a place on the waiting list when the class
// is full. It returns the facts to publish (none for the waiting list).
// Errors: Invalid, Conflict when the person is already there.
func (c *Class) Enrol(person, displayName string, now time.Time) (waiting bool, facts []Fact, err error) {
	switch {
	case person == "":
		return false, nil, errcode.New(errcode.Invalid, "person", "is required")
	case strings.TrimSpace(displayName) == "":
		return false, nil, errcode.New(errcode.Invalid, "display_name", "is required")
	case len(displayName) > 80:
		return false, nil, errcode.New(errcode.Invalid, "display_name", "must be at most 80 characters")
	case now.After(c.EndDate.AddDate(0, 0, 1)) && !c.EndDate.IsZero():
		return false, nil, errcode.New(errcode.Invalid, "class_id", "the class has ended")
	}
	if e := c.Find(person); e != nil && (e.Status == Enrolled || e.Status == Suspended) {
		return false, nil, errcode.New(errcode.Conflict, "person", "is already enrolled")
	}
	if slices.ContainsFunc(c.Waiting, func(w Waiting) bool { return w.Person == person }) {
		return false, nil, errcode.New(errcode.Conflict, "person", "is already on the waiting list")
	}
	if c.full() {
		c.Waiting = append(c.Waiting, Waiting{Person: person, DisplayName: displayName, Since: now})
		return true, nil, nil
	}
	return false, []Fact{c.place(Enrolment{Person: person, DisplayName: displayName}, now)}, nil
}

// place puts e on the roster as enrolled (again, if they had left).
func (c *Class) place(e Enrolment, now time.Time) Fact {
	e.Status, e.Since, e.Figures = Enrolled, now, e.Carried
	if old := c.Find(e.Person); old != nil {
		// Coming back keeps the figures earned here before.
		e.Figures = old.Figures
		*old = e
	} else {
		c.Roster = append(c.Roster, e)
	}
	return Fact{Kind: FactEnrolled, Person: e.Person, At: now, Figures: e.Figures, OtherClass: e.TransferredFrom}
}

// Leave ends person's enrolment as withdrawn (with a reason), completed or
// transferred, and gives the freed place to the first on the waiting list.
// Errors: NotFound when the person is not enrolled, Invalid.
func (c *Class) Leave(person string, status EnrolmentStatus, reason WithdrawReason, note, otherClass string, now time.Time) ([]Fact, error) {
	e := c.Find(person)
	if e == nil || (e.Status != Enrolled && e.Status != Suspended) {
		return nil, errcode.New(errcode.NotFound, "person", "is not enrolled in this class")
	}
	if status == Withdrawn && !slices.Contains(WithdrawReasons, reason) {
		return nil, errcode.New(errcode.Invalid, "reason", "must be one of work, moved, health, family, no_show, other")
	}
	if len(note) > 500 {
		return nil, errcode.New(errcode.Invalid, "note", "must be at most 500 characters")
	}
	e.Status, e.Since, e.Reason, e.Note = status, now, reason, note
	kind := FactWithdrawn
	switch status {
	case Completed:
		kind = FactCompleted
	case Transferred:
		e.Reason, e.TransferredTo = ReasonTransferred, otherClass
	}
	facts := []Fact{{Kind: kind, Person: person, At: now, Figures: e.Figures, Reason: e.Reason, OtherClass: otherClass}}
	if len(c.Waiting) > 0 && status != Completed && !c.full() {
		next := c.Waiting[0]
		c.Waiting = c.Waiting[1:]
		facts = append(facts, c.place(Enrolment{Person: next.Person, DisplayName: next.DisplayName}, now))
	}
	return facts, nil
}

// Suspend pauses an enrolment (the person is not marked) or resumes it.
// Errors: NotFound, Conflict when it already stands so.
func (c *Class) Suspend(person string, suspend bool, now time.Time) error {
	e := c.Find(person)
	from, to := Enrolled, Suspended
	if !suspend {
		from, to = Suspended, Enrolled
	}
	switch {
	case e == nil || (e.Status != Enrolled && e.Status != Suspended):
		return errcode.New(errcode.NotFound, "person", "is not enrolled in this class")
	case e.Status != from:
		return errcode.New(errcode.Conflict, "person", "is already %s", to)
	}
	e.Status, e.Since = to, now
	return nil
}

// Count adds a register's marks to the roster's figures, once per lesson,
// and returns the alerts of people whose run of absences reaches streak.
func (c *Class) Count(r *Register, streak int) []Fact {
	if slices.Contains(c.Counted, r.LessonID) {
		return nil
	}
	c.Counted = append(c.Counted, r.LessonID)
	// A register of an earlier lesson recorded late counts for the hours,
	// not for the run of absences, which is about the latest lessons.
	late := r.LessonStart.Before(c.LatestCounted)
	if !late {
		c.LatestCounted = r.LessonStart
	}
	var facts []Fact
	for _, m := range r.Marks {
		e := c.Find(m.Person)
		if e == nil {
			continue
		}
		run := e.Figures.ConsecutiveAbsences
		e.Figures.Add(m, r.LessonMinutes)
		if late {
			e.Figures.ConsecutiveAbsences = run
			continue
		}
		if m.Status == register.Absent && e.Figures.ConsecutiveAbsences == streak {
			facts = append(facts, Fact{Kind: FactStreak, Person: m.Person, At: r.RecordedAt, Figures: e.Figures, LessonID: r.LessonID})
		}
	}
	return facts
}

// Recount sets the roster's figures from all the class's registers (in
// the order their lessons were held), for when a register changed after it
// was counted. It returns the alerts of runs of absences that reach streak
// now and did not before.
func (c *Class) Recount(regs []*Register, streak int, now time.Time) []Fact {
	slices.SortFunc(regs, func(a, b *Register) int { return a.LessonStart.Compare(b.LessonStart) })
	before := map[string]int{}
	for i := range c.Roster {
		e := &c.Roster[i]
		before[e.Person] = e.Figures.ConsecutiveAbsences
		e.Figures = register.Figures{}
		e.Figures.Carry(e.Carried)
	}
	c.Counted, c.LatestCounted = c.Counted[:0], time.Time{}
	for _, r := range regs {
		c.Counted, c.LatestCounted = append(c.Counted, r.LessonID), r.LessonStart
		for _, m := range r.Marks {
			if e := c.Find(m.Person); e != nil {
				e.Figures.Add(m, r.LessonMinutes)
			}
		}
	}
	var facts []Fact
	for _, e := range c.Roster {
		if n := e.Figures.ConsecutiveAbsences; n >= streak && before[e.Person] < streak {
			facts = append(facts, Fact{Kind: FactStreak, Person: e.Person, At: now, Figures: e.Figures})
		}
	}
	return facts
}

// Admitted reports whether e attended enough of the class's planned time to
// sit the final assessment.
func (c *Class) Admitted(e *Enrolment, shareBP int) bool {
	return e.Figures.Reaches(shareBP, c.PlannedMinutes)
}

// Arrive enrols a person transferred from another class with the figures
// they carry. A full class refuses them: a transfer never waits.
// Errors: Conflict.
func (c *Class) Arrive(person, displayName, from string, carried register.Figures, now time.Time) ([]Fact, error) {
	if e := c.Find(person); e != nil && (e.Status == Enrolled || e.Status == Suspended) {
		return nil, errcode.New(errcode.Conflict, "person", "is already enrolled in the new class")
	}
	if c.full() {
		return nil, errcode.New(errcode.Conflict, "to_class_id", "the new class is full")
	}
	carried.ConsecutiveAbsences = 0
	return []Fact{c.place(Enrolment{Person: person, DisplayName: displayName, TransferredFrom: from, Carried: carried}, now)}, nil
}
