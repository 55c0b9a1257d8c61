// Package register is the lesson register shared by language, computer and
// vocational courses: one mark per enrolled person, checked against the
// roster and the lesson's length.
package register

import (
	"fmt"

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
	}
	for _, p := range roster {
		if !seen[p] {
			return errcode.New(errcode.Invalid, "marks", "miss %d enrolled people", len(roster)-len(seen))
		}
	}
	return nil
}
