// Package register is the lesson register shared by language, computer and
// vocational courses: one mark per enrolled person, checked against the
// roster and the lesson's length; corrections that keep their history; and
// the attendance figures derived from the marks.
package register

import (
	"fmt"
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// Status is a person's attendance in one lesson.
type Status string

const (
	Present Status = "present"
	Absent  Status = "absent"
	Late    Status = "late"    // arrived late or left early: minutes say how long they stayed
	Excused Status = "excused" // absent with a justification
)

// Mark is one person's line in a register.
type Mark struct {
	Person  string // pseudonym
	Status  Status
	Minutes int // minutes attended
}

// Check validates marks for a lesson of lessonMinutes against the roster of
// people expected (pseudonyms). It fills in the minutes of a present person
// left at zero, and returns an errcode.Invalid naming the first faulty field,
// e.g. "marks[3].minutes".
func Check(marks []Mark, roster []string, lessonMinutes int) error {
	if len(marks) == 0 {
		return errcode.New(errcode.Invalid, "marks", "must list every enrolled person")
	}
	expected := make(map[string]bool, len(roster))
	for _, p := range roster {
		expected[p] = true
	}
	seen := make(map[string]bool, len(marks))
	for i := range marks {
		m := &marks[i]
		field := func(name string) string { return fmt.Sprintf("marks[%d].%s", i, name) }
		switch {
		case m.Person == "":
			return errcode.New(errcode.Invalid, field("person"), "is required")
		case !expected[m.Person]:
			return errcode.New(errcode.Invalid, field("person"), "is not enrolled in this class")
		case seen[m.Person]:
			return errcode.New(errcode.Invalid, field("person"), "is marked twice")
		}
		seen[m.Person] = true
		if err := checkLine(m, lessonMinutes, field); err != nil {
			return err
		}
	}
	for _, p := range roster {
		if !seen[p] {
			return errcode.New(errcode.Invalid, "marks", "miss %d enrolled people", len(roster)-len(seen))
		}
	}
	return nil
}

// checkLine checks one mark's status and minutes, filling in a present
// person's minutes left at zero.
func checkLine(m *Mark, lessonMinutes int, field func(string) string) error {
	if m.Status == Present && m.Minutes == 0 {
		m.Minutes = lessonMinutes
	}
	switch m.Status {
	case Present, Late:
		if m.Minutes < 0 || m.Minutes > lessonMinutes {
			return errcode.New(errcode.Invalid, field("minutes"), "must be between 0 and the lesson's %d minutes", lessonMinutes)
		}
		if m.Status == Late && (m.Minutes == 0 || m.Minutes == lessonMinutes) {
			return errcode.New(errcode.Invalid, field("minutes"), "of a late arrival must be more than 0 and less than the lesson's %d", lessonMinutes)
		}
	case Absent, Excused:
		if m.Minutes != 0 {
			return errcode.New(errcode.Invalid, field("minutes"), "must be 0 for status %s", m.Status)
		}
	case "":
		return errcode.New(errcode.Invalid, field("status"), "is required")
	default:
		return errcode.New(errcode.Invalid, field("status"), "must be present, absent, late or excused")
	}
	return nil
}

// Correction is one changed line of a stored register: who changed it,
// when and why, and what it said before.
type Correction struct {
	Person   string
	From, To Mark
	By       string
	At       time.Time
	Reason   string
}

// Correct applies changes (new lines for some people of the register) to
// marks and returns the corrected marks and one Correction per line that
// really changed. marks is left untouched. Errors are errcode.Invalid naming
// the field, e.g. "marks[1].person" for someone not in the register, or
// "marks" when nothing would change.
func Correct(marks, changes []Mark, lessonMinutes int, by, reason string, at time.Time) ([]Mark, []Correction, error) {
	if reason == "" {
		return nil, nil, errcode.New(errcode.Invalid, "reason", "is required: say why the register changes")
	}
	if len(changes) == 0 {
		return nil, nil, errcode.New(errcode.Invalid, "marks", "must list the lines to correct")
	}
	at = at.UTC()
	index := make(map[string]int, len(marks))
	for i, m := range marks {
		index[m.Person] = i
	}
	out := append([]Mark(nil), marks...)
	seen := make(map[string]bool, len(changes))
	var cs []Correction
	for i := range changes {
		c := changes[i]
		field := func(name string) string { return fmt.Sprintf("marks[%d].%s", i, name) }
		j, ok := index[c.Person]
		switch {
		case c.Person == "":
			return nil, nil, errcode.New(errcode.Invalid, field("person"), "is required")
		case !ok:
			return nil, nil, errcode.New(errcode.Invalid, field("person"), "is not in this register")
		case seen[c.Person]:
			return nil, nil, errcode.New(errcode.Invalid, field("person"), "is corrected twice")
		}
		seen[c.Person] = true
		if err := checkLine(&c, lessonMinutes, field); err != nil {
			return nil, nil, err
		}
		if c == out[j] {
			continue
		}
		cs = append(cs, Correction{Person: c.Person, From: out[j], To: c, By: by, At: at, Reason: reason})
		out[j] = c
	}
	if len(cs) == 0 {
		return nil, nil, errcode.New(errcode.Invalid, "marks", "change nothing in the register")
	}
	return out, cs, nil
}

// Figures are one person's attendance in a class, over the lessons held
// while they were enrolled, plus what they carried from a class they were
// transferred from.
type Figures struct {
	MinutesAttended int
	MinutesHeld     int
	LessonsHeld     int
	LessonsAttended int // present or late
	// ConsecutiveAbsences counts unexcused absences in a row up to the
	// latest lesson; an excused absence neither counts nor breaks the run.
	ConsecutiveAbsences int
}

// Add counts one mark of a lesson of lessonMinutes; marks must be added in
// the order the lessons were held for the run of absences to be right.
func (f *Figures) Add(m Mark, lessonMinutes int) {
	f.MinutesHeld += lessonMinutes
	f.LessonsHeld++
	f.MinutesAttended += m.Minutes
	switch m.Status {
	case Present, Late:
		f.LessonsAttended++
		f.ConsecutiveAbsences = 0
	case Absent:
		f.ConsecutiveAbsences++
	}
}

// Carry adds the hours kept from another class: they count for the hours
// and the rate, not for the run of absences.
func (f *Figures) Carry(from Figures) {
	f.MinutesAttended += from.MinutesAttended
	f.MinutesHeld += from.MinutesHeld
	f.LessonsHeld += from.LessonsHeld
	f.LessonsAttended += from.LessonsAttended
}

// RateBP is the minutes attended over the minutes held, in basis points
// (7000 is 70%); 0 before any lesson is held.
func (f Figures) RateBP() int {
	if f.MinutesHeld == 0 {
		return 0
	}
	return f.MinutesAttended * 10000 / f.MinutesHeld
}

// Reaches reports whether the minutes attended reach shareBP (basis points)
// of plannedMinutes: the attendance needed for admission to the final
// assessment.
func (f Figures) Reaches(shareBP, plannedMinutes int) bool {
	return plannedMinutes > 0 && f.MinutesAttended*10000 >= shareBP*plannedMinutes
}

// Sheet is the register of one lesson as every service keeps it: the
// marks, who recorded them and when, and the corrections since.
type Sheet struct {
	LessonStart   time.Time
	LessonMinutes int
	Marks         []Mark
	RecordedBy    string
	RecordedAt    time.Time
	// Corrections is the history of changes after recording, oldest first.
	Corrections []Correction
	// Revision counts the writes: 1 when recorded, +1 per correction.
	Revision int
	// Changed are the corrections of the latest write, for its events;
	// not stored.
	Changed []Correction
}

// Correct changes some lines of the sheet (see Correct), keeping the
// history.
func (s *Sheet) Correct(changes []Mark, by, reason string, now time.Time) error {
	marks, cs, err := Correct(s.Marks, changes, s.LessonMinutes, by, reason, now)
	if err != nil {
		return err
	}
	s.Marks, s.Changed = marks, cs
	s.Corrections = append(s.Corrections, cs...)
	s.Revision++
	return nil
}

// SameMarks reports whether s records exactly marks (a retried submission).
func (s *Sheet) SameMarks(marks []Mark) bool { return slices.Equal(s.Marks, marks) }
